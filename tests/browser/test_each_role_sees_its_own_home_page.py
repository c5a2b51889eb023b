"""Each role signs in through the real form (and two-factor check, where the role needs it) and sees its panel."""

import re

import pytest
from playwright.sync_api import expect

from safeguarding_portal.accounts.policy import TWO_FACTOR_ROLES
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory

from .conftest import confirmed_device, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "What needs you now"
ALLEGATIONS = "Allegations about staff"
OWN_REPORTS = "Concerns you have reported"
GOVERNOR_REPORTS = "Termly safeguarding reports"
FILTERING = "Web filtering"
CHILDREN = "Your children's agreements"
SCHOOL = "Your school"
PANELS = {QUEUE, ALLEGATIONS, OWN_REPORTS, GOVERNOR_REPORTS, FILTERING, CHILDREN, SCHOOL}

HOME_PANELS = {
    "staff": {OWN_REPORTS},
    # The DSL is on the senior leadership team and approves filtering changes like the head.
    "dsl": {QUEUE, OWN_REPORTS, GOVERNOR_REPORTS, FILTERING, SCHOOL},
    "head": {ALLEGATIONS, OWN_REPORTS, GOVERNOR_REPORTS, FILTERING, SCHOOL},
    "technician": {OWN_REPORTS, FILTERING},
    "governor": {OWN_REPORTS, GOVERNOR_REPORTS},
    "parent": {CHILDREN},
}


def _sign_in_as(page, user):
    needs_code = any(m.role in TWO_FACTOR_ROLES for m in user.memberships.all())
    sign_in(page, user, device=confirmed_device(user) if needs_code else None)


@pytest.mark.parametrize("persona", sorted(HOME_PANELS))
def test_school_roles_see_their_own_panels_and_no_others(page, live_server, request, persona):
    user = request.getfixturevalue(persona)
    if persona == "parent":
        school = request.getfixturevalue("school")
        guardian = GuardianFactory(school=school, user=user, email=user.email)
        PupilGuardianFactory(
            guardian=guardian, pupil=PupilFactory(school=school, legal_forename="Amelia", surname="Hughes")
        )

    _sign_in_as(page, user)

    expect(page).to_have_url(f"{live_server.url}/")
    for panel in sorted(PANELS):
        heading = page.get_by_role("heading", name=panel, exact=True)
        expect(heading).to_have_count(1 if panel in HOME_PANELS[persona] else 0)
    report_action = page.get_by_role("link", name="Report a concern")
    expect(report_action).to_have_count(0 if persona == "parent" else 1)
    if persona == "parent":
        expect(page.get_by_role("region", name=CHILDREN)).to_contain_text("Amelia Hughes")
    screenshot(page, f"home-{persona}")
    assert [e for e in page.console_errors if "status of 4" not in e] == []


def test_trust_lead_lands_on_the_trust_overview_with_every_school_and_no_names(
    page, live_server, trust_lead, school, other_school
):
    # Surnames no figure's words could contain ("Green" is also a red/amber/green state on the dashboard).
    pupils = [PupilFactory(school=school, surname=f"Quillfeather{chr(97 + i)}") for i in range(3)] + [
        PupilFactory(school=other_school, surname=f"Marchbanks{chr(97 + i)}") for i in range(2)
    ]

    _sign_in_as(page, trust_lead)

    expect(page).to_have_url(f"{live_server.url}/school/trust/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Riverside Learning Trust")
    table = page.get_by_test_id("trust-dashboard")
    expect(
        table.locator('[data-testid="dashboard-row"]', has_text="Oakfield Primary School").get_by_test_id("on-roll")
    ).to_have_text("3")
    expect(
        table.locator('[data-testid="dashboard-row"]', has_text="Hillside Academy").get_by_test_id("on-roll")
    ).to_have_text("2")
    expect(page.get_by_test_id("trust-on-roll")).to_have_text("5")
    expect(page.get_by_role("link", name="Report a concern")).to_have_count(0)
    text = page.get_by_role("main").inner_text()
    named = [p.surname for p in pupils if re.search(rf"\b{re.escape(p.surname)}\b", text)]
    assert not named, "a trust overview names no child"
    screenshot(page, "home-trust-lead")

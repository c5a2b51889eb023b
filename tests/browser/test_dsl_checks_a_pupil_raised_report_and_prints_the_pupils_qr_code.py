"""The DSL team's side of pupils telling: the link's page with its QR code, and a pupil-raised case waiting for
the check (accept or dismiss) read on a phone and a laptop with no accessibility violations; the DSL accepts it."""

import pytest
from playwright.sync_api import expect

from incidents import pupil_reports
from incidents.models import Incident, Moderation

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_link_page_and_a_case_to_check_read_well_and_the_dsl_accepts_it(page, school, dsl):
    incident = pupil_reports.pupil_report(
        school=school,
        about="stranger",
        when="yesterday",
        still_happening=True,
        name="",
        description="An adult I met in a game keeps asking for my address and photos",
        notify=False,
    )
    sign_in(page, dsl, device=confirmed_device(dsl))

    def qr_shown(page, width):
        expect(page.get_by_test_id("pupil-qr").locator("svg")).to_be_visible()

    check_at_both_widths(page, "/incidents/pupils-link/", "pupil-link-qr", then=qr_shown)
    check_at_both_widths(page, f"/incidents/case/{incident.reference}/", "pupil-raised-case-to-check")

    page.get_by_role("button", name="Accept as a case").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Acknowledged")
    assert Incident.objects.get().moderation == Moderation.ACCEPTED
    assert page.console_errors == [], page.console_errors

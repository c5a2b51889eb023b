"""A pupil on a phone says it is still happening: the form (with its choice of an adult at school, in plain words)
reads at 390 px with no accessibility violations, and the DSL sees the report as urgent on the dashboard and the
case page at 1280 px, still waiting for the team's check."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident

from ..pupil_report_helpers import tell_url
from .conftest import confirmed_device, sign_in
from .widths import LAPTOP, PHONE, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "Someone keeps messaging me pictures and says they'll share mine unless I send more"


def test_still_happening_from_a_phone_reaches_the_dsl_as_urgent(page, school, dsl):
    def adult_choice(page, width):
        expect(page.get_by_label("A teacher or another adult at school, something they did or said")).to_be_visible()
        expect(page.get_by_label("The headteacher, something they did or said")).to_be_visible()

    check_at_both_widths(page, tell_url(school), "h21-pupil-tell-form", widths=[PHONE], then=adult_choice)
    page.get_by_label("Someone threatening to share pictures unless I pay or do something").check()
    page.get_by_label("What happened?").fill(WORDS)
    page.get_by_label("Today").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()

    incident = Incident.objects.get()
    assert incident.immediate_risk
    page.context.clear_cookies()
    sign_in(page, dsl, device=confirmed_device(dsl))

    def urgent_row(page, width):
        row = page.get_by_role("row").filter(has_text=incident.reference)
        expect(row).to_contain_text("Urgent")
        expect(row).to_contain_text("Pupil-raised: to check")

    def urgent_case(page, width):
        expect(page.get_by_test_id("moderation")).to_be_visible()
        expect(page.get_by_test_id("pupil-said")).to_contain_text("Yes")

    check_at_both_widths(
        page, "/incidents/dashboard/?queue=urgent", "h21-dsl-dashboard-urgent-pupil", widths=[LAPTOP], then=urgent_row
    )
    check_at_both_widths(
        page, f"/incidents/case/{incident.reference}/", "h21-dsl-urgent-pupil-case", widths=[LAPTOP], then=urgent_case
    )

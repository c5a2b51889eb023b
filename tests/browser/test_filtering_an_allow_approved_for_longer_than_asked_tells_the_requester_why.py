"""On a phone, the head approves an allow for longer than the teacher asked, which needs a reason; the teacher
reads it on their request. Both pages at 390 and 1280 px with axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from filtering import services
from filtering.models import RiskView, State
from tests.factories_filtering import make_change

from .conftest import VIEWPORT, confirmed_device, screenshot, sign_in
from .widths import PHONE, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_longer_allow_needs_a_reason_the_requester_reads(page, browser, live_server, staff, head, technician, school):
    change = make_change(
        school=school,
        requester=staff,
        expires_in_days=10,
        target="https://www.britishmuseum.org/collection",
        reason="Year 3 Ancient Egypt topic",
    )
    services.assess(change=change, by=technician, view=RiskView.TECHNICAL, rating="low", assessment="Static pages.")
    services.assess(change=change, by=head, view=RiskView.EDUCATIONAL, rating="low", assessment="Topic work.")
    sign_in(page, head, device=confirmed_device(head))
    check_at_both_widths(page, f"/filtering/changes/{change.pk}/", "filtering-change-to-decide")

    page.set_viewport_size(PHONE)
    page.goto(f"/filtering/changes/{change.pk}/")
    later = timezone.localdate() + datetime.timedelta(days=45)
    page.get_by_label("Approve").check()
    page.get_by_label("Reason for the decision").fill("Low risk, clear educational need.")
    page.get_by_label("Expires on").fill(later.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("record why it should last longer (they will read it)")).to_be_visible()
    change.refresh_from_db()
    assert change.state == State.REQUESTED

    page.get_by_label("Approve").check()
    page.get_by_label("Reason for the decision").fill("Low risk, clear educational need.")
    page.get_by_label("Expires on").fill(later.isoformat())
    page.get_by_label("Why it should last beyond the date asked for").fill(
        "The topic runs to half term; Year 4 use it next."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("approved: the technician will apply it")).to_be_visible()
    change.refresh_from_db()
    assert change.state == State.APPROVED and change.expires_on == later

    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
    )
    teacher = context.new_page()
    teacher.console_errors = []
    try:
        sign_in(teacher, staff)
        check_at_both_widths(teacher, f"/filtering/changes/{change.pk}/", "filtering-change-longer-than-asked")
        expect(teacher.get_by_test_id("longer-reason")).to_have_text("The topic runs to half term; Year 4 use it next.")
        expect(teacher.get_by_test_id("expires-on")).to_contain_text("later than the")
        screenshot(teacher, "filtering-change-longer-than-asked-requester")
    finally:
        context.close()

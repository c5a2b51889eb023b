"""A teacher asks for a site to be allowed; the technician gives the technical view; the head assesses and approves."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from filtering import services
from filtering.models import ChangeRequest, EventKind, FilterEvent, State

from .conftest import VIEWPORT, confirmed_device, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_assess_and_approve(page, browser, live_server, staff, head, technician, school):
    sign_in(page, staff)
    page.goto("/filtering/request/")
    page.get_by_label("Allow").check()
    page.get_by_label("What is it?").select_option("domain")
    page.get_by_label("The address, site, category, keyword or app").fill("www.britishmuseum.org")
    page.get_by_label("For whom?").select_option("year_group")
    page.get_by_label("Which year group or device group?").fill("Year 3")
    page.get_by_label("Educational reason").fill("Ancient Egypt topic: the museum's collection pages")
    until = timezone.localdate() + datetime.timedelta(days=21)
    page.get_by_label("Needed until").fill(until.isoformat())
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("is waiting for a senior leader's approval")).to_be_visible()
    change = ChangeRequest.objects.get()
    assert page.console_errors == []

    services.assess(
        change=change,
        by=technician,
        view="technical",
        rating="low",
        assessment="Static collection pages, no comments or uploads.",
    )

    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
    )
    head_page = context.new_page()
    try:
        sign_in(head_page, head, device=confirmed_device(head))
        head_page.get_by_role("link", name="1 request to approve or reject").click()
        head_page.get_by_role("link", name=change.reference).first.click()
        head_page.get_by_label("Which view").select_option("educational")
        head_page.get_by_label("Risk rating").select_option("low")
        head_page.locator("#id_assessment").fill("Directly supports the Year 3 history unit.")
        head_page.get_by_role("button", name="Record the assessment").click()
        expect(head_page.get_by_text("Risk assessment recorded.")).to_be_visible()
        head_page.get_by_label("Approve").check()
        head_page.get_by_label("Reason for the decision").fill("Low risk, clear educational need.")
        head_page.get_by_role("button", name="Record the decision").click()
        expect(head_page.get_by_text("approved: the technician will apply it")).to_be_visible()
        expect(head_page.get_by_test_id("decision-reason")).to_contain_text("Low risk")
        screenshot(head_page, "filtering-change-approved")
    finally:
        context.close()

    change.refresh_from_db()
    assert change.state == State.APPROVED and change.decided_by == head and change.expires_on == until
    assert list(FilterEvent.objects.filter(change=change).order_by("seq").values_list("kind", flat=True)) == [
        EventKind.REQUESTED,
        EventKind.ASSESSED,
        EventKind.ASSESSED,
        EventKind.APPROVED,
    ]

"""The DSL finds a new concern on the dashboard, acknowledges it, records what they did and closes it."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import EntryKind, Status
from tests.factories import PupilFactory
from tests.incident_helpers import make_case

from .conftest import confirmed_device, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dsl_acknowledges_records_and_closes_a_case(page, live_server, dsl, deputy, staff, school):
    pupil = PupilFactory(school=school, legal_forename="Oliver", surname="Grant")
    incident = make_case(school=school, reporter=staff, pupils=[pupil])
    older = make_case(school=school, reporter=staff, category="phishing_scams")
    sign_in(page, dsl, device=confirmed_device(dsl))

    page.get_by_role("link", name="Open the dashboard").click()
    queue = page.get_by_role("navigation", name="Queues")
    queue.get_by_role("link", name="Not yet acknowledged").click()
    # The queue swaps the whole body: the chosen queue is marked current once its list has arrived.
    expect(queue.get_by_role("link", name="Not yet acknowledged")).to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(r"queue=unacknowledged"))
    table = page.locator("#case-list")
    expect(table).to_contain_text(incident.reference)
    page.get_by_label("Category").select_option("cyberbullying")  # HTMX: the list updates in place
    expect(table).not_to_contain_text(older.reference)
    expect(table).to_contain_text("Oliver Grant")
    screenshot(page, "dashboard-dsl")

    table.get_by_role("link", name=incident.reference).click()
    expect(page.get_by_role("heading", name=f"Case {incident.reference}")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Acknowledged")

    page.locator("summary", has_text="Note, parent contact").click()
    page.get_by_label("What are you recording?").select_option("no_referral")
    page.get_by_label("Details").fill("Below threshold: managed in school with the class teacher.")
    page.get_by_role("button", name="Add to timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Below threshold")

    page.locator("summary", has_text="Change status").click()
    page.get_by_label("New status").select_option("closed")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Record the outcome before closing the case.")).to_be_visible()
    # The refused form keeps what was chosen, so only the missing outcome needs adding.
    expect(page.get_by_label("New status")).to_have_value("closed")
    page.get_by_label("Outcome (needed to close)").fill("Resolved; parents informed.")
    page.get_by_role("button", name="Change status").click()
    # The required steps are still open: each is done by hand, with what was done, before the case closes.
    expect(page.get_by_text(re.compile(r"required steps? still open"))).to_be_visible()
    open_steps = page.get_by_test_id("steps").locator('li[data-done="no"][data-required="yes"]')
    while open_steps.count():
        step = open_steps.first
        step.locator("summary").click()
        step.get_by_label("What was done, or why it was not needed").fill("Done with the class teacher.")
        step.get_by_role("button", name=re.compile(r"^Done")).click()
        expect(page.get_by_text("Recorded on the case timeline.")).to_be_visible()
    page.locator("summary", has_text="Change status").click()
    page.get_by_label("New status").select_option("closed")
    page.get_by_label("Outcome (needed to close)").fill("Resolved; parents informed.")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Closed")
    expect(page.get_by_test_id("case-views")).to_contain_text(dsl.email)
    screenshot(page, "case-closed")

    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.acknowledged_at is not None
    assert incident.entries.filter(kind=EntryKind.NO_REFERRAL).exists()

"""The DSL's case work in the browser: closing is refused while a required step is open, and recording the
referral completes it; a sibling is added from the case and both chronologies show it; a full-name search
finds the pupil; on a phone the dashboard's filters fold away and no column is off-screen."""

import re

import pytest
from playwright.sync_api import expect

from incidents.categories import Category
from incidents.models import Status
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory
from tests.incident_helpers import make_case

from .conftest import confirmed_device, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_case(page, reference):
    page.goto(f"/incidents/case/{reference}/")
    expect(page.get_by_role("heading", name=f"Case {reference}")).to_be_visible()


def test_closing_is_refused_with_a_step_open_until_the_referral_is_recorded(page, live_server, dsl, staff, school):
    incident = make_case(school=school, reporter=staff, category=Category.INDECENT_IMAGES)
    sign_in(page, dsl, device=confirmed_device(dsl))
    _open_case(page, incident.reference)
    page.get_by_role("button", name="Acknowledge").click()
    steps = page.get_by_test_id("steps")
    # Every required step but the IWF report is done by hand first.
    open_steps = steps.locator('li[data-done="no"][data-required="yes"]')
    while open_steps.count() > 1 or "Internet Watch Foundation" not in open_steps.first.inner_text():
        step = open_steps.filter(has_not_text="Internet Watch Foundation").first
        step.locator("summary").click()
        step.get_by_label("What was done, or why it was not needed").fill("Done: see notes.")
        step.get_by_role("button", name=re.compile(r"^Done")).click()
        expect(page.get_by_text("Recorded on the case timeline.")).to_be_visible()

    page.locator("summary", has_text="Change status").click()
    page.get_by_label("New status").select_option("closed")
    page.get_by_label("Outcome (needed to close)").fill("Reported to the IWF; images removed.")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text(re.compile(r"1 required step still open: Report the URLs"))).to_be_visible()
    screenshot(page, "case-close-refused")

    page.locator("summary", has_text="Note, parent contact").click()
    page.get_by_label("What are you recording?").select_option("referral")
    page.get_by_label(re.compile(r"^Agency:?$")).select_option("iwf")
    page.get_by_label(re.compile(r"^When:?$")).fill("2026-11-20T10:00")
    page.get_by_label("Details").fill("URLs reported to the IWF hotline.")
    page.get_by_role("button", name="Add to timeline").click()
    iwf = steps.locator("li", has_text="Internet Watch Foundation")
    expect(iwf).to_have_attribute("data-done", "yes")
    expect(page.get_by_test_id("timeline")).to_contain_text("Completed by entry")

    page.locator("summary", has_text="Change status").click()
    page.get_by_label("New status").select_option("closed")
    page.get_by_label("Outcome (needed to close)").fill("Reported to the IWF; images removed.")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Closed")
    screenshot(page, "case-closed-after-referral")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.open_mandatory_steps == 0


def test_a_sibling_is_added_from_the_case_and_both_chronologies_show_it(page, live_server, dsl, staff, school):
    mother = GuardianFactory(school=school, full_name="Hannah Morgan")
    isla = PupilFactory(school=school, legal_forename="Isla", surname="Morgan", year_group="5")
    oliver = PupilFactory(school=school, legal_forename="Oliver", surname="Morgan", year_group="2")
    for child in (isla, oliver):
        PupilGuardianFactory(pupil=child, guardian=mother)
    incident = make_case(school=school, reporter=staff, pupils=[isla])
    sign_in(page, dsl, device=confirmed_device(dsl))
    _open_case(page, incident.reference)
    suggestion = page.get_by_test_id("sibling-suggestion")
    expect(suggestion).to_contain_text("Isla Morgan's sibling Oliver Morgan (Year 2) is on roll.")
    suggestion.get_by_label("Oliver Morgan's part").select_option("witness")
    suggestion.get_by_role("button", name="Add Oliver").click()
    pupils = page.get_by_test_id("case-pupils")
    expect(pupils).to_contain_text("Oliver Morgan")
    expect(pupils).to_contain_text("witness")
    screenshot(page, "case-sibling-added")
    for child in (isla, oliver):
        page.goto(f"/incidents/pupil/{child.pk}/chronology/")
        expect(page.get_by_test_id("chronology")).to_contain_text(incident.reference)


def test_a_full_name_search_finds_the_pupil_and_marks_the_match(page, live_server, dsl, staff, school):
    ivy = PupilFactory(school=school, legal_forename="Ivy", surname="Taylor")
    other = PupilFactory(school=school, legal_forename="Ivy", surname="Brown")
    found = make_case(school=school, reporter=staff, pupils=[ivy])
    not_found = make_case(school=school, reporter=staff, pupils=[other])
    sign_in(page, dsl, device=confirmed_device(dsl))
    page.goto("/incidents/dashboard/")
    page.get_by_label("Pupil name, UPN or case reference").fill("Taylor Ivy")
    table = page.locator("#case-list")
    expect(table).not_to_contain_text(not_found.reference)
    expect(table).to_contain_text(found.reference)
    expect(table.locator("mark").first).to_have_text("Ivy")
    screenshot(page, "dashboard-search")


def test_on_a_phone_the_filters_fold_away_and_each_case_is_a_card(browser, live_server, dsl, staff, school):
    for i in range(3):
        make_case(
            school=school,
            reporter=staff,
            immediate_risk=i == 0,
            pupils=[PupilFactory(school=school, legal_forename=f"Pupil{i}", surname="Phone")],
        )
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        timezone_id="Europe/London",
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, dsl, device=confirmed_device(dsl))
        page.goto("/incidents/dashboard/")
        expect(page.get_by_label("Category")).to_be_hidden()  # folded behind "Filters"
        page.get_by_role("button", name="Filters").click()
        expect(page.get_by_label("Category")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing off to the side
        first = page.locator(".case-table tbody tr").first
        expect(first.locator('td[data-label="Pupils"]')).to_be_visible()
        expect(first.locator('td[data-label="Status"]')).to_be_visible()
        box = first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        expect(page.locator(".trend-chart text", has_text="Week beginning")).to_have_count(1)
        screenshot(page, "dashboard-phone")
    finally:
        context.close()

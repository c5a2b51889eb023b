"""A teacher reports a concern the way they would on a phone: type-ahead for pupils, the 999 panel at once."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.factories import PupilFactory

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_reports_an_urgent_concern_about_two_pupils(browser, live_server, staff, dsl, school):
    PupilFactory(school=school, legal_forename="Maisie", surname="Fletcher", year_group="5", registration_group="5 Ash")
    PupilFactory(school=school, legal_forename="Maisy", surname="Farrow", year_group="6")
    PupilFactory(school=school, legal_forename="Noah", surname="Fletcher", year_group="3")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        timezone_id="Europe/London",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    sign_in(page, staff)
    page.get_by_role("link", name="Report a concern").first.click()
    expect(page.get_by_role("heading", name="Report an online-safety concern")).to_be_visible()

    panel = page.locator("#urgent-panel")
    expect(panel).to_be_hidden()
    page.get_by_text("Yes", exact=True).click()
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Call 999 now")

    page.get_by_text("In school", exact=True).click()
    page.get_by_label("What kind of concern is it?").select_option("unwanted_contact")
    page.get_by_label("Pupils: type two or more letters of a name").fill("Mais")
    options = page.locator("#pupil-results")
    expect(options).to_contain_text("Maisie Fletcher")
    expect(options).to_contain_text("Maisy Farrow")
    expect(options).not_to_contain_text("Noah")
    page.get_by_role("button", name="Add Maisie Fletcher").click()
    chosen = page.locator("#chosen-pupils")
    expect(chosen).to_contain_text("Maisie Fletcher")
    chosen.get_by_label("Role in the concern").select_option("harmed")

    page.get_by_label(re.compile("What did you see or hear")).fill(
        "Maisie says a man she met in a game asked her to meet him at the park after school today."
    )
    page.get_by_text("A personal device", exact=True).click()
    screenshot(page, "report-form-mobile")
    page.get_by_role("button", name="Send to the safeguarding team").click()

    expect(page.get_by_role("heading", name="Your concern has been sent")).to_be_visible()
    reference = page.get_by_test_id("reference").inner_text()
    expect(page.locator("#urgent-panel")).to_be_visible()
    screenshot(page, "report-sent-mobile")
    incident = Incident.objects.get(reference=reference)
    assert incident.immediate_risk and incident.reported_by == staff
    assert [link.pupil.surname for link in incident.pupil_links.all()] == ["Fletcher"]
    assert incident.alerts.filter(kind="urgent").exists()
    context.close()


def test_indecent_image_categories_hide_the_file_field_and_say_why(page, staff, school):
    sign_in(page, staff)
    page.goto("/incidents/report/")
    attachments = page.locator("#attachments-field")
    expect(attachments).to_be_visible()
    page.get_by_label("What kind of concern is it?").select_option("youth_produced_imagery")
    expect(attachments).to_be_hidden()
    expect(page.locator("#no-attachment-guidance")).to_contain_text("Secure the device")
    assert page.console_errors == []

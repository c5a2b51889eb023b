"""A pupil tells the safeguarding team from a phone with no account: the form (999 first, Childline and the
school's lines) and the thank-you page read on a phone and a laptop with no accessibility violations; after
sending, the back button brings an empty form, never what was typed; too many sends get a kind page."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident, Source

from ..pupil_report_helpers import tell_url, thanks_url
from .axe import assert_no_axe_violations
from .conftest import screenshot
from .widths import PHONE, assert_nothing_cut_off, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "Someone in my year keeps sending me horrible messages at night"


def test_the_form_and_the_thank_you_read_on_a_phone_and_a_laptop(page, school, dsl):
    school.phone = "01632 960001"
    school.save()

    def danger_first(page, width):
        danger = page.get_by_test_id("danger-now")
        expect(danger).to_be_visible()
        expect(danger).to_contain_text("If you are in danger right now, tell an adult now or call 999.")
        assert danger.bounding_box()["y"] < page.get_by_role("heading", level=1).bounding_box()["y"]
        expect(page.get_by_test_id("help-lines")).to_contain_text("0800 1111")
        expect(page.get_by_test_id("help-lines")).to_contain_text("01632 960001")

    check_at_both_widths(page, tell_url(school), "pupil-tell-form", then=danger_first)
    check_at_both_widths(page, thanks_url(school), "pupil-tell-thanks")


def test_after_sending_the_back_button_shows_an_empty_form(page, school, dsl):
    page.set_viewport_size(PHONE)
    page.goto(tell_url(school))
    page.get_by_label("Someone being unkind, bullying or leaving someone out online").check()
    page.get_by_label("What happened?").fill(WORDS)
    page.get_by_label("In the last week").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Send to the safeguarding team").click()

    expect(page.get_by_test_id("thanks")).to_be_visible()
    assert page.url.endswith(thanks_url(school))
    assert WORDS not in page.content()
    screenshot(page, "pupil-tell-sent-390")

    page.go_back()
    expect(page.get_by_test_id("tell-form")).to_be_visible()
    expect(page.get_by_label("What happened?")).to_have_value("")
    assert not page.get_by_label("In the last week").is_checked()
    screenshot(page, "pupil-tell-after-back-390")
    incident = Incident.objects.get()
    assert incident.source == Source.PUPIL and incident.description == WORDS
    assert page.console_errors == [], page.console_errors


def test_too_many_sends_show_a_kind_page_with_the_help_lines(page, school, settings):
    settings.RATE_LIMITS = {"incidents.pupil_tell.device": "1/h"}
    page.set_viewport_size(PHONE)
    for _ in range(2):
        page.goto(tell_url(school))
        page.get_by_label("Something else, or I'm not sure").check()
        page.get_by_label("What happened?").fill("A test of the limit")
        page.get_by_label("I'm not sure", exact=True).first.check()
        page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_test_id("too-many")).to_be_visible()
    expect(page.get_by_test_id("help-lines")).to_contain_text("0800 1111")
    expect(page.get_by_test_id("danger-now")).to_be_visible()
    assert_nothing_cut_off(page)
    assert_no_axe_violations(page)
    screenshot(page, "pupil-tell-too-many-390")
    assert Incident.objects.count() == 1
    assert re.search(r"429", str(page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStatus")))

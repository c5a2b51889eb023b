"""A file sent with a suspected indecent image concern is refused, and the reporter sees why, on a phone, where
they are looking: at the top of the form and in the guidance by the category (the file field is hidden)."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Attachment, Incident

from .axe import assert_no_axe_violations
from .conftest import screenshot, sign_in
from .widths import PHONE, assert_nothing_cut_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fill(page) -> None:
    page.get_by_text("No", exact=True).first.click()
    page.get_by_text("In school", exact=True).click()
    page.get_by_label(re.compile("What did you see or hear")).fill(
        "A pupil showed me an image on their phone that may be an indecent image of another pupil."
    )
    page.get_by_text("A personal device", exact=True).click()


@pytest.mark.parametrize("scripts", [True, False], ids=["script-back-on-the-reply", "no-scripts"])
def test_the_refusal_is_shown_where_the_reporter_looks(browser, live_server, staff, school, scripts):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        locale="en-GB",
        timezone_id="Europe/London",
        java_script_enabled=scripts,
    )
    page = context.new_page()
    try:
        sign_in(page, staff)
        # The form's script normally takes the file field away as soon as such a category is chosen. On a slow
        # phone it may not have run yet when the file is chosen: that is when the server refuses the file.
        page.route("**/js/report.js", lambda route: route.abort())
        page.goto("/incidents/report/")
        page.get_by_label("What kind of concern is it?").select_option("indecent_images")
        _fill(page)
        page.locator("#attachments-field input[type=file]").set_input_files(
            files=[{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}]
        )
        page.unroute("**/js/report.js")  # the reply's page has its script (the reporter's phone caught up)
        page.get_by_role("button", name="Send to the safeguarding team").click()

        summary = page.locator("#form-errors")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("Files cannot be attached to this kind of concern")
        refused = page.get_by_test_id("attachment-refused")
        expect(refused).to_be_visible()
        expect(refused).to_contain_text("secure the device and tell the DSL")
        if scripts:
            # The script hides the file field, and with it the error Django puts beneath it: the refusal is
            # still in view, in the summary and the guidance.
            expect(page.locator("#attachments-field")).to_be_hidden()
            assert_no_axe_violations(page)  # axe runs in the page's own scripts
        assert_nothing_cut_off(page)
        refused.scroll_into_view_if_needed()
        screenshot(page, f"report-attachment-refused-390-{'scripts' if scripts else 'no-scripts'}")
        assert Incident.objects.count() == 0 and Attachment.objects.count() == 0
    finally:
        context.close()

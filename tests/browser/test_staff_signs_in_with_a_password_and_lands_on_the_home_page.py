import re

import pytest
from playwright.sync_api import expect

from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_signs_in_with_a_password_and_sees_report_a_concern(page, live_server, staff):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")

    sign_in(page, staff)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page.get_by_role("link", name="Report a concern")).to_be_visible()
    expect(page.get_by_test_id("current-school")).to_contain_text("Oakfield Primary School")
    expect(page.get_by_role("link", name="Emergency contacts")).to_be_visible()
    screenshot(page, "home-staff")
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, actor=staff).exists()


def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_email_typed(page, staff):
    sign_in(page, staff, password="not-the-password")

    expect(page.get_by_text("That email address and password do not match an account")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(staff.email)
    expect(page.get_by_role("link", name="Report a concern")).to_have_count(0)
    screenshot(page, "sign-in-refused")

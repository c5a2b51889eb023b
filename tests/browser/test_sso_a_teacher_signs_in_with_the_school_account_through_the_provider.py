"""The whole single sign-on redirect dance in Chromium, against the real test provider on loopback.

The sign-in page with its school-account button and the refusal page are checked at 390 and 1280 px with axe;
the button's redirect to the provider must pass the page's Content-Security-Policy (a refusal would show up as a
console error and stop the navigation).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.sso_provider import configure

from .conftest import screenshot
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def _sign_in_at_the_provider(page, email: str) -> None:
    expect(page.get_by_role("heading", name="Riverside Identity")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to Riverside Identity").click()


def test_a_teacher_signs_in_with_the_school_account_and_a_stranger_is_told_who_can_help(
    page, live_server, oidc_provider, school, dsl, head
):
    teacher = UserFactory(email="tess.teacher@oak.example", full_name="Tess Teacher")
    MembershipFactory(user=teacher, school=school, role=Role.STAFF)
    school.phone = "01234 567890"
    school.save()
    configure(
        oidc_provider,
        live_server.url,
        school=school,
        users=[{"email": teacher.email}, {"email": "stranger@oak.example"}],
    )

    def has_button(page, width):
        expect(page.get_by_role("button", name=re.compile("Sign in with Riverside Identity"))).to_be_visible()
        expect(page.get_by_label("Password")).to_be_visible()  # password sign-in stays

    check_at_both_widths(page, "/accounts/sign-in/", "sso-sign-in", then=has_button)

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name=re.compile("Sign in with Riverside Identity")).click()
    page.wait_for_url(f"{oidc_provider.base_url}/accounts/login/**")
    screenshot(page, "sso-provider-sign-in-390")
    _sign_in_at_the_provider(page, teacher.email)
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page.get_by_role("link", name="Report a concern")).to_be_visible()
    screenshot(page, "sso-home-after-sign-in-390")
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED, actor=teacher).count() == 1
    assert page.console_errors == [], page.console_errors

    # Someone the school has not given an account: refused, and told whom to ask.
    page.context.clear_cookies()
    page.goto("/accounts/sign-in/")
    page.get_by_role("button", name=re.compile("Sign in with Riverside Identity")).click()
    _sign_in_at_the_provider(page, "stranger@oak.example")
    expect(page.get_by_role("heading", name="You cannot sign in this way yet")).to_be_visible()
    expect(page.locator("#sso-refusal")).to_contain_text("There is no portal account for your email address")
    expect(page.get_by_text("Dsl (Designated Safeguarding Lead)")).to_be_visible()
    # The refusal is answered with 403, which Chromium reports on the console as a failed load: expected here.
    assert all("403" in e for e in page.console_errors), page.console_errors
    page.console_errors.clear()

    def names_who_can_help(page, width):
        expect(page.get_by_text("Head (Headteacher)")).to_be_visible()
        expect(page.get_by_role("link", name="01234 567890")).to_be_visible()

    check_at_both_widths(page, "/accounts/sso/error/?why=unknown", "sso-refused", then=names_who_can_help)
    assert AuditEvent.objects.filter(action=AuditAction.SSO_REFUSED, actor_email="stranger@oak.example").exists()

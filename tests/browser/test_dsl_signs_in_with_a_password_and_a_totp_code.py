import re

import pytest
from playwright.sync_api import expect

from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .conftest import confirmed_device, screenshot, totp_code_for_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dsl_is_asked_for_a_code_after_the_password_and_lands_on_the_queue(page, live_server, dsl):
    device = confirmed_device(dsl)
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    screenshot(page, "two-factor-verify")
    # Before the code, nothing else opens: the home page sends them back to the check.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))

    page.get_by_label("Code").fill(totp_code_for_device(device))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="What needs you now")).to_be_visible()
    expect(page.get_by_role("link", name="Report a concern")).to_be_visible()
    screenshot(page, "home-dsl")
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED, actor=dsl).exists()


def test_a_wrong_code_is_refused_and_the_dsl_stays_at_the_check(page, dsl):
    device = confirmed_device(dsl)
    right = totp_code_for_device(device)
    # Far from the current code and its neighbours in time.
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("That code is not right.")).to_be_visible()
    expect(page.get_by_role("heading", name="What needs you now")).to_have_count(0)
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=dsl).exists()

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .conftest import key_from_manual_entry, screenshot, totp_code_for_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dsl_without_a_phone_sets_one_up_from_the_key_shown_and_gets_backup_codes(page, live_server, dsl):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(dsl.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    qr = page.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    # The QR code really loaded (an image refused by the Content-Security-Policy has no width).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    screenshot(page, "two-factor-setup")

    # What a person does without a camera: type the key shown into their authenticator app.
    key = key_from_manual_entry(page.get_by_test_id("totp-key").inner_text())
    page.get_by_label("6-digit code from your app").fill(totp_code_for_key(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = page.get_by_test_id("backup-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[a-z2-9]{5}-[a-z2-9]{5}$"))
    screenshot(page, "two-factor-backup-codes")
    assert TOTPDevice.objects.get(user=dsl).confirmed
    assert StaticToken.objects.filter(device__user=dsl).count() == 10

    page.get_by_role("link", name="I have saved them — continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="What needs you now")).to_be_visible()

"""Browser tests: pytest-django's live server, driven through Playwright in Debian's chromium.

They are skipped when /usr/bin/chromium is missing (``apt-get install chromium``), unless
PORTAL_REQUIRE_BROWSER=1 (``.ci/run`` sets it), which makes a missing browser a failure. Playwright's own
browser downloads are never used. Screenshots of the key pages go to artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRED = os.environ.get("PORTAL_REQUIRE_BROWSER") == "1"
VIEWPORT = {"width": 1280, "height": 800}


def screenshots_dir() -> Path:
    return Path(os.environ.get("PORTAL_ARTIFACTS", settings.BASE_DIR / "artifacts")) / "screenshots"


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if REQUIRED:
            pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM calls
    # made while a loop runs. The tests' ORM calls are ordinary synchronous code, so allow them, but
    # only while the browser is up: other tests keep Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    # A Content-Security-Policy refusal or a script error shows up here, not on the page.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def totp_code_for_key(key: bytes) -> str:
    """What an authenticator app set up with ``key`` shows now (SHA-1, 30 seconds, 6 digits)."""
    return f"{TOTP(key).token():06d}"


def totp_code_for_device(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def key_from_manual_entry(text: str) -> bytes:
    """The key a person would type into their app from the enrolment page's "enter this key by hand"."""
    compact = "".join(text.split()).upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def sign_in(page, user, *, password: str = PASSWORD, device: TOTPDevice | None = None) -> None:
    """Sign in through the form; with ``device``, answer the two-factor check with its current code."""
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url("**/accounts/two-factor/**")
        page.get_by_label("Code").fill(totp_code_for_device(device))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


# The real OpenID Connect provider for the single sign-on test (tests/oidc_provider/, tests/sso_provider.py).
from tests.sso_provider import oidc_provider  # noqa: E402, F401

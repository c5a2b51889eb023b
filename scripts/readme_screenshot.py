"""Regenerate docs/screenshot-home.png: the DSL's home page on the demo data, at 1280x800.

    .venv/bin/python scripts/readme_screenshot.py      (or: make screenshot)

Builds the demo in a throwaway SQLite database, serves it with runserver on a free loopback port, signs in
as dsl@demo.example (password, then the code an authenticator app would show) in Debian's chromium, and
saves the page. Nothing outside docs/ and a temporary folder is touched.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshot-home.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "EMAIL_URL",
    "DJANGO_ENV",
    "TEST_DATABASE_NAME",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a loopback URL built above)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="portal-screenshot-"))
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'demo.sqlite3'}"
    env["MEDIA_ROOT"] = str(workdir / "media")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django  # why: after Django is set up

    django.setup()
    from django_otp.oath import TOTP  # why: after Django is set up
    from django_otp.plugins.otp_totp.models import TOTPDevice  # why: after Django is set up

    from safeguarding_portal.core.demo import DEMO_PASSWORD  # why: after Django is set up

    device = TOTPDevice.objects.get(user__email="dsl@demo.example", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        from playwright.sync_api import sync_playwright  # why: after Django is set up

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(
                base_url=f"http://127.0.0.1:{port}",
                viewport={"width": 1280, "height": 800},
                locale="en-GB",
                timezone_id="Europe/London",
            )
            page.goto("/accounts/sign-in/")
            page.get_by_label("Email address").fill("dsl@demo.example")
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/accounts/two-factor/**")
            page.get_by_label("Code").fill(f"{totp.token():0{device.digits}d}")
            page.get_by_role("button", name="Continue").click()
            page.get_by_role("heading", name="Your safeguarding queue").wait_for()
            OUTPUT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

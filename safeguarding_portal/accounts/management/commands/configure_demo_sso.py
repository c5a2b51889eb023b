"""Lets the demo trust's schools sign in through the test OpenID Connect provider (README, "Single sign-on").

    .venv/bin/python manage.py configure_demo_sso

Configures a trust-wide single sign-on for the demo's Riverside Learning Trust (domain demo.example) pointing
at the test provider (tests/oidc_provider/, started with its run_provider command), and gives that provider a
client with this portal's redirect URI and an account for each demo person, with the demo password. The
headteacher's provider account signs in with a second factor (its ID token says amr: mfa); a stranger's
(stranger@demo.example) has no portal account, to see a refusal. Safe to repeat.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from safeguarding_portal.accounts.models import SingleSignOn, User
from safeguarding_portal.core.demo import DEMO_PASSWORD, TRUST_NAME
from safeguarding_portal.schools.models import Trust

CLIENT_ID = "riverside-demo"
CLIENT_SECRET = "demo-sso-secret-not-for-production"  # noqa: S105 (the demo's test provider only)
DOMAIN = "demo.example"


class Command(BaseCommand):
    help = "Configure the demo trust to sign in through the test OpenID Connect provider (tests/oidc_provider)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--issuer",
            default="http://127.0.0.1:8800/o",
            help="The test provider's issuer URL (default: run_provider's http://127.0.0.1:8800/o)",
        )
        parser.add_argument("--site", default=settings.SITE_URL, help="This portal's address, for the redirect URI")
        parser.add_argument(
            "--portal-only",
            action="store_true",
            help="Configure the portal only, not the test provider's client and accounts",
        )

    def handle(self, *args, issuer: str, site: str, portal_only: bool, **options):
        trust = Trust.objects.filter(name=TRUST_NAME).first()
        if trust is None:
            raise CommandError(f"No {TRUST_NAME}: run `manage.py seed_demo` first (make run does).")
        config, created = SingleSignOn.objects.update_or_create(
            trust=trust,
            kind=SingleSignOn.Kind.OIDC,
            client_id=CLIENT_ID,
            defaults={
                "label": "Riverside Identity",
                "server_url": issuer,
                "client_secret": CLIENT_SECRET,
                "allowed_domains": DOMAIN,
                "is_enabled": True,
            },
        )
        callback = site.rstrip("/") + reverse("openid_connect_callback", kwargs={"provider_id": config.provider_id})
        self.stdout.write(f"{'Added' if created else 'Updated'} single sign-on for {trust}: {issuer}")
        self.stdout.write(f"  redirect URI: {callback}")
        if portal_only:
            return
        people = User.objects.filter(email__iendswith=f"@{DOMAIN}", is_active=True).order_by("email")
        users = [
            {"email": u.email, "name": u.full_name, "password": DEMO_PASSWORD, "mfa": u.email.startswith("head@")}
            for u in people
        ]
        users.append({"email": f"stranger@{DOMAIN}", "name": "Sam Stranger", "password": DEMO_PASSWORD})
        state = {
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [callback],
                    "name": "Safeguarding Portal (demo)",
                }
            ],
            "users": users,
        }
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        for command, stdin in ((["migrate", "--verbosity=0"], None), (["provider_state"], json.dumps(state))):
            result = subprocess.run(  # noqa: S603 (a fixed list)
                [sys.executable, "-m", "django", *command],
                cwd=settings.BASE_DIR,
                env=env,
                input=stdin,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"The test provider's {command[0]} failed:\n{result.stdout}{result.stderr}")
        self.stdout.write(
            f"The test provider has the client {CLIENT_ID} and {len(users)} accounts "
            f"(password {DEMO_PASSWORD}); head@{DOMAIN} signs in there with a second factor."
        )
        self.stdout.write('Open the portal\'s sign-in page and press "Sign in with Riverside Identity".')

"""Creates or updates the provider's clients and users from one JSON document (one process start for all).

    {"clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]}],
     "users": [{"email": "...", "password": "...", "verified": true, "mfa": false, "active": true}]}
"""

import json
import sys

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    help = "Create or update the test provider's clients and users from JSON (an argument, or stdin)."

    def add_arguments(self, parser):
        parser.add_argument("state", nargs="?", help="JSON; read from stdin when absent")

    def handle(self, *args, state=None, **options):
        data = json.loads(state if state else sys.stdin.read())
        for client in data.get("clients", []):
            app, _ = Application.objects.get_or_create(client_id=client["client_id"], defaults={
                "name": client.get("name", client["client_id"]),
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            })
            app.client_secret = client["client_secret"]
            app.redirect_uris = " ".join(client["redirect_uris"])
            app.algorithm = Application.RS256_ALGORITHM
            app.skip_authorization = True
            app.save()
        for entry in data.get("users", []):
            user, _ = User.objects.get_or_create(username=entry["email"], defaults={"email": entry["email"]})
            user.email = entry["email"]
            user.first_name = entry.get("name", "")
            user.is_active = entry.get("active", True)
            if "password" in entry:
                user.set_password(entry["password"])
            user.save()
            for name, wanted in (("unverified", not entry.get("verified", True)), ("mfa", entry.get("mfa", False))):
                group, _ = Group.objects.get_or_create(name=name)
                (user.groups.add if wanted else user.groups.remove)(group)
        self.stdout.write("provider state applied")

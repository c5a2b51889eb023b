"""The test provider's clients and users, set from one JSON document (the provider_state command and view).

{"clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]}],
 "users": [{"email": "...", "password": "...", "verified": true, "mfa": false, "active": true}]}
"""

from __future__ import annotations

import hmac
import json
import os

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application


@transaction.atomic
def apply_state(data: dict) -> None:
    for client in data.get("clients", []):
        app, _ = Application.objects.get_or_create(
            client_id=client["client_id"],
            defaults={
                "name": client.get("name", client["client_id"]),
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            },
        )
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


@csrf_exempt
@require_POST
def state_view(request: HttpRequest) -> HttpResponse:
    """For the tests' fixtures: the same as the command, without starting a process. Needs the start's token."""
    token = os.environ.get("OIDC_PROVIDER_TOKEN", "")
    if not token or not hmac.compare_digest(request.headers.get("X-Provider-Token", ""), token):
        return HttpResponseForbidden("no")
    apply_state(json.loads(request.body))
    return HttpResponse("provider state applied")

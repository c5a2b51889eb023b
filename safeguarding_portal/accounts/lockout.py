"""How django-axes names the account behind a failed sign-in.

Sign-in matches email addresses case-insensitively, so the lockout must too: otherwise ``DSL@school`` and
``dsl@school`` would each get their own allowance of wrong passwords and the limit could be walked around.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username).strip().lower()

"""A form sent after the session expired is kept, not lost.

The access middleware stashes the POST (text fields only; files cannot be kept) in the visitor's session
and sends them to sign in. Signing in keeps the session's data, and the resume page shows what was kept
with one button to send it, with a fresh CSRF token, to where it was going.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

STASH_KEY = "resume_posts"
MAX_STASHED = 5


def stash(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(12)
    fields = [(k, v) for k in request.POST for v in request.POST.getlist(k) if k != "csrfmiddlewaretoken"]
    stashed = dict(list(request.session.get(STASH_KEY, {}).items())[-(MAX_STASHED - 1):])
    stashed[token] = {"path": request.path, "fields": fields, "had_files": bool(request.FILES)}
    request.session[STASH_KEY] = stashed
    return reverse("accounts:resume", args=[token])


def resume_view(request: HttpRequest, token: str) -> HttpResponse:
    entry = request.session.get(STASH_KEY, {}).get(token)
    if entry is None:
        return render(request, "accounts/resume_missing.html", status=404)
    if request.method == "POST":
        # Discarded on request; the same page is also where the kept fields are submitted from.
        stashed = request.session.get(STASH_KEY, {})
        stashed.pop(token, None)
        request.session[STASH_KEY] = stashed
        return render(request, "accounts/resume_missing.html", {"discarded": True})
    return render(request, "accounts/resume.html", {"entry": entry, "token": token})

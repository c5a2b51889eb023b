"""A form sent after the session expired is kept, not lost.

The access middleware stashes the POST (text fields only; files cannot be kept) in the visitor's session
and sends them to sign in. Signing in keeps the session's data, and the resume page shows what was kept
with one button to send it, with a fresh CSRF token, to where it was going. Only the browser session that
typed it can see it: the stash lives in that session and nowhere else. Once sent (or discarded) it is
forgotten, so the text does not linger in the session store.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_USER_KEY
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

STASH_KEY = "resume_posts"
MAX_STASHED = 5
# A hidden field on the resume page's form: the middleware forgets the stash when the form arrives.
STASH_ID_FIELD = "_resume_id"
# Fields that are not what someone typed.
_NOT_TYPED = {"csrfmiddlewaretoken", STASH_ID_FIELD}


_DB_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def _expired_session_user_id(request: HttpRequest) -> str | None:
    """Who the browser's session belonged to before it expired, when the expired row is still stored.

    Lets the resume page refuse the kept text to anyone else who signs in on the same browser (a shared
    staffroom computer). Unknown (row already cleared, or a cache-only session engine) gives None.
    """
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or settings.SESSION_ENGINE not in _DB_SESSION_ENGINES:
        return None
    row = Session.objects.filter(session_key=key).first()
    if row is None:
        return None
    try:
        user_id = row.get_decoded().get(AUTH_USER_KEY)
    except Exception:  # a tampered or undecodable row tells us nothing
        return None
    return str(user_id) if user_id is not None else None


def stash(request: HttpRequest) -> str:
    """Keep this (anonymous) POST in the session; returns the resume page's URL."""
    token = secrets.token_urlsafe(12)
    fields = [(k, v) for k in request.POST for v in request.POST.getlist(k) if k not in _NOT_TYPED]
    stashed = dict(list(request.session.get(STASH_KEY, {}).items())[-(MAX_STASHED - 1):])
    stashed[token] = {
        "path": request.get_full_path(),
        "fields": fields,
        "had_files": bool(request.FILES),
        "user_id": _expired_session_user_id(request),
    }
    request.session[STASH_KEY] = stashed
    return reverse("accounts:resume", args=[token])


def forget(request: HttpRequest, token: str) -> None:
    stashed = request.session.get(STASH_KEY)
    if stashed and token in stashed:
        stashed.pop(token)
        request.session[STASH_KEY] = stashed


def forget_sent(request: HttpRequest) -> None:
    """Called for a POST that reached its view: if it came from the resume page, its stash is done with."""
    if request.method == "POST" and request.POST.get(STASH_ID_FIELD):
        forget(request, request.POST[STASH_ID_FIELD])


def _label(field_name: str) -> str:
    # "contacts-0-phone" -> "Contacts 1 phone": readable enough to recognise what was typed where.
    words = [str(int(w) + 1) if w.isdigit() else w for w in field_name.replace("_", "-").split("-") if w]
    return " ".join(words).capitalize() or field_name


def resume_view(request: HttpRequest, token: str) -> HttpResponse:
    entry = request.session.get(STASH_KEY, {}).get(token)
    if entry is not None and entry.get("user_id") not in (None, str(request.user.pk)):
        # Someone else signed in on the browser where it was typed: it is not theirs to read or send.
        forget(request, token)
        entry = None
    if entry is None:
        return render(request, "accounts/resume_missing.html", status=404)
    if request.method == "POST":
        # Discarded on request; the kept fields themselves are sent straight to their own address.
        forget(request, token)
        return render(request, "accounts/resume_missing.html", {"discarded": True})
    shown = [(_label(name), value) for name, value in entry["fields"] if value.strip()]
    return render(request, "accounts/resume.html", {
        "entry": entry, "token": token, "stash_id_field": STASH_ID_FIELD, "shown": shown,
    })

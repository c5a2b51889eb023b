"""A form sent after the session expired is kept, not lost; and kept for its author only.

The access middleware keeps the POST (text fields only; files cannot be kept) and sends the visitor to sign in;
the resume page then shows what was kept with one button to send it, with a fresh CSRF token, to where it was
going. What was typed is often a child's name and what they disclosed, so:

* it belongs to one user: the one whose session it was, known from the expired session's row or, once the
  nightly purge has removed that row, from a signed cookie set while they were signed in. Nobody else who signs
  in on the same browser (a shared staffroom computer) can read or send it, and a post from a browser where
  nobody was signed in is not kept at all;
* it is stored only encrypted (Fernet, with a key derived from SECRET_KEY), in the database, not in the session,
  whose store (Redis, the session table) keeps its data readable; the session holds only the link's tokens;
* it expires after ``KEEP_FOR``, and ``purge_expired`` (beat, every hour) deletes expired kept forms and
  sessions; once sent or discarded it is deleted at once.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_USER_KEY
from django.contrib.sessions.models import Session
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import KeptForm

STASH_KEY = "resume_tokens"
MAX_STASHED = 5
KEEP_FOR = datetime.timedelta(hours=4)
# A hidden field on the resume page's form: the middleware forgets the stash when the form arrives.
STASH_ID_FIELD = "_resume_id"
# Fields that are not what someone typed.
_NOT_TYPED = {"csrfmiddlewaretoken", STASH_ID_FIELD}

# Who last signed in on this browser, for as long as a kept form lives: signed, so it cannot be forged.
OWNER_COOKIE = "portal_kept_for"
_OWNER_SALT = "accounts.resume.owner"
_OWNER_REFRESH = datetime.timedelta(minutes=5)

_DB_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


# --- Encryption -------------------------------------------------------------------------------------------


def _key(secret: str) -> bytes:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"safeguarding-portal", info=b"accounts.resume kept forms"
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


def _fernet() -> MultiFernet:
    # The current key encrypts; keys from SECRET_KEY_FALLBACKS still decrypt what was kept before a rotation.
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(s)) for s in secrets_])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Whose it is ------------------------------------------------------------------------------------------


def _expired_session_user_id(request: HttpRequest) -> int | None:
    """Who the browser's session belonged to before it expired, while the expired row is still stored."""
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
    return int(user_id) if user_id is not None else None


def _cookie_user_id(request: HttpRequest) -> int | None:
    try:
        value = signing.TimestampSigner(salt=_OWNER_SALT).unsign(
            request.COOKIES.get(OWNER_COOKIE, ""), max_age=KEEP_FOR
        )
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def _owner_id(request: HttpRequest) -> int | None:
    owner = _expired_session_user_id(request) or _cookie_user_id(request)
    if owner is None:
        # A second form from a tab of the same signed-out session belongs to whoever the first one did.
        kept = KeptForm.objects.filter(token_hash__in=[_token_hash(t) for t in tokens(request.session)]).first()
        owner = kept.user_id if kept else None
    return owner


def remember_owner(request: HttpRequest, response: HttpResponse) -> None:
    """While someone is signed in, the browser carries who they are, so a form they send after their session
    expires can be kept for them alone (refreshed every few minutes, not on every request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    signer = signing.TimestampSigner(salt=_OWNER_SALT)
    try:
        value = signer.unsign(request.COOKIES.get(OWNER_COOKIE, ""), max_age=KEEP_FOR - _OWNER_REFRESH)
    except signing.BadSignature:
        value = None
    if value == str(user.pk):
        return
    response.set_cookie(
        OWNER_COOKIE,
        signer.sign(str(user.pk)),
        max_age=int(KEEP_FOR.total_seconds()),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# --- Keeping and forgetting -------------------------------------------------------------------------------


def tokens(session) -> list[str]:
    """The tokens of the forms kept in this browser session (the forms themselves are in the database)."""
    kept = session.get(STASH_KEY, [])
    return list(kept) if isinstance(kept, list) else []


def stash(request: HttpRequest) -> str | None:
    """Keep this (signed-out) POST for its author; returns the resume page's URL, or None when nobody can be
    told to be its author (then it is not kept)."""
    owner = _owner_id(request)
    if owner is None:
        return None
    token = secrets.token_urlsafe(16)
    fields = [(k, v) for k in request.POST for v in request.POST.getlist(k) if k not in _NOT_TYPED]
    body = json.dumps({"path": request.get_full_path(), "fields": fields, "had_files": bool(request.FILES)})
    now = timezone.now()
    KeptForm.objects.create(
        token_hash=_token_hash(token),
        user_id=owner,
        created_at=now,
        expires_at=now + KEEP_FOR,
        payload=_fernet().encrypt(body.encode()),
    )
    kept = tokens(request.session)
    dropped, kept = kept[: -(MAX_STASHED - 1)], kept[-(MAX_STASHED - 1) :]
    if dropped:
        KeptForm.objects.filter(token_hash__in=[_token_hash(t) for t in dropped]).delete()
    request.session[STASH_KEY] = [*kept, token]
    return reverse("accounts:resume", args=[token])


def forget(request: HttpRequest, token: str) -> None:
    KeptForm.objects.filter(token_hash=_token_hash(token)).delete()
    kept = tokens(request.session)
    if token in kept:
        kept.remove(token)
        request.session[STASH_KEY] = kept


def forget_sent(request: HttpRequest) -> None:
    """Called for a POST that reached its view: if it came from the resume page, its stash is done with."""
    if request.method == "POST" and request.POST.get(STASH_ID_FIELD):
        forget(request, request.POST[STASH_ID_FIELD])


def _entry(request: HttpRequest, token: str) -> dict | None:
    """The kept form behind ``token``, if this browser kept it, it is the signed-in user's, and it is fresh."""
    if token not in tokens(request.session):
        return None
    kept = KeptForm.objects.filter(token_hash=_token_hash(token), expires_at__gt=timezone.now()).first()
    if kept is None or kept.user_id != request.user.pk:
        return None
    try:
        body = _fernet().decrypt(bytes(kept.payload), ttl=int(KEEP_FOR.total_seconds()))
    except InvalidToken:  # expired, or encrypted under a key no longer configured
        return None
    return json.loads(body)


def purge_expired() -> dict[str, int]:
    kept, _ = KeptForm.objects.filter(expires_at__lte=timezone.now()).delete()
    sessions = 0
    if settings.SESSION_ENGINE in _DB_SESSION_ENGINES:
        sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    else:
        import_string(f"{settings.SESSION_ENGINE}.SessionStore").clear_expired()
    return {"kept_forms": kept, "sessions": sessions}


# --- The page ---------------------------------------------------------------------------------------------


def _label(field_name: str) -> str:
    # "contacts-0-phone" -> "Contacts 1 phone": readable enough to recognise what was typed where.
    words = [str(int(w) + 1) if w.isdigit() else w for w in field_name.replace("_", "-").split("-") if w]
    return " ".join(words).capitalize() or field_name


def resume_view(request: HttpRequest, token: str) -> HttpResponse:
    entry = _entry(request, token)
    if entry is None:
        # Not theirs, expired or unknown: what this browser kept under it is deleted, and the page says only that
        # nothing waits (a token from elsewhere deletes nothing: it is not this browser's).
        if token in tokens(request.session):
            forget(request, token)
        return render(request, "accounts/resume_missing.html", status=404)
    if request.method == "POST":
        # Discarded on request; the kept fields themselves are sent straight to their own address.
        forget(request, token)
        return render(request, "accounts/resume_missing.html", {"discarded": True})
    shown = [(_label(name), value) for name, value in entry["fields"] if value.strip()]
    return render(
        request,
        "accounts/resume.html",
        {
            "entry": entry,
            "token": token,
            "stash_id_field": STASH_ID_FIELD,
            "shown": shown,
        },
    )

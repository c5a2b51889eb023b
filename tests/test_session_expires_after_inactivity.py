"""Sessions end after SESSION_COOKIE_AGE seconds without a request; every request starts the window again."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts import middleware
from safeguarding_portal.accounts.middleware import SessionKeepAliveMiddleware
from safeguarding_portal.accounts.testing import password_sign_in, totp_code

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def _stored_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def forget_cached_session(session_key: str) -> None:
    # With Redis, sessions are read from the cache first (cached_db); drop the copy so the edit counts.
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches

    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + session_key)


def _idle_for(client, seconds: int) -> None:
    """Pretend the last request was ``seconds`` ago: the stored expiry is what the idle window is measured by."""
    session = _stored_session(client)
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )
    forget_cached_session(session.pk)


def test_settings_make_sessions_idle_out():
    # Renewal is the keep-alive middleware's job (at most once a minute), not a write on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    position = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert settings.MIDDLEWARE[position + 1] == "safeguarding_portal.accounts.middleware.SessionKeepAliveMiddleware"
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_request_a_minute_after_the_last_renewal_pushes_the_expiry_back(client, staff, monkeypatch):
    password_sign_in(client, staff.email, PASSWORD)
    _idle_for(client, settings.SESSION_COOKIE_AGE - 60)
    nearly_expired = _stored_session(client).expire_date
    later = time.time() + SessionKeepAliveMiddleware.RENEW_AFTER_SECONDS + 1
    monkeypatch.setattr(middleware.time, "time", lambda: later)

    assert client.get(reverse("home")).status_code == 200

    renewed = _stored_session(client).expire_date
    assert renewed - nearly_expired > datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)


def test_requests_within_a_minute_of_the_last_renewal_write_nothing(client, staff):
    password_sign_in(client, staff.email, PASSWORD)
    client.get(reverse("home"))
    before = _stored_session(client).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200

    assert _stored_session(client).expire_date == before
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_a_session_idle_for_less_than_the_window_still_works(client, staff):
    password_sign_in(client, staff.email, PASSWORD)
    _idle_for(client, settings.SESSION_COOKIE_AGE - 30)

    assert client.get(reverse("home")).status_code == 200


def test_a_session_idle_for_longer_than_the_window_no_longer_signs_them_in(client, staff):
    password_sign_in(client, staff.email, PASSWORD)
    assert client.get(reverse("home")).status_code == 200

    _idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"
    assert "_auth_user_id" not in client.session


def test_an_expired_session_also_loses_its_two_factor_check(client, dsl):
    phone = TOTPDevice.objects.create(user=dsl, name="Authenticator app", confirmed=True)
    password_sign_in(client, dsl.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(phone)})
    assert client.get(reverse("schools:settings")).status_code == 200

    _idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    assert client.get(reverse("schools:settings"))["Location"].startswith(reverse("accounts:login"))

    password_sign_in(client, dsl.email, PASSWORD)
    assert client.get(reverse("schools:settings"))["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_session_cookie_lasts_only_as_long_as_the_browser(client, staff):
    response = password_sign_in(client, staff.email, PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

"""A session started through the school's provider is an ordinary portal session: it lasts as long as the
browser, ends after SESSION_COOKIE_AGE idle seconds, and the provider's multi-factor claim ends with it."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.accounts import sso

from .sso_helpers import oidc_config, sign_in_with_provider, signed_in_user_id
from .test_session_expires_after_inactivity import forget_cached_session

pytestmark = pytest.mark.django_db


def _idle_for(client, seconds: int) -> None:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )
    forget_cached_session(key)


def test_a_single_sign_on_session_lasts_only_as_long_as_the_browser(client, staff, school):
    response = sign_in_with_provider(client, oidc_config(school=school), email="staff@oak.example")
    assert signed_in_user_id(client) == str(staff.pk)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # no "remember me" from allauth
    assert client.session.get_expire_at_browser_close()


def test_a_single_sign_on_session_idle_too_long_ends_and_takes_the_providers_mfa_claim_with_it(client, dsl, school):
    config = oidc_config(school=school, accept_mfa=True)
    sign_in_with_provider(client, config, email="dsl@oak.example", amr=["pwd", "mfa"])
    assert client.session.get(sso.MFA_SESSION_KEY) is True
    _idle_for(client, settings.SESSION_COOKIE_AGE - 30)
    assert client.get(reverse("home")).status_code == 200

    _idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == f"{reverse('accounts:login')}?next=/"
    assert signed_in_user_id(client) is None and sso.MFA_SESSION_KEY not in client.session

    client.force_login(dsl)  # back in another way: the old claim does not stand for the portal's code
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_setup"))

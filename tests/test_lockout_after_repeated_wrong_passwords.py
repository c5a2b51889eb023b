"""django-axes pauses sign-in for an email address from an IP after AXES_FAILURE_LIMIT wrong passwords.

Isolation: axes keeps its counts in the database (AccessAttempt), so each test's transaction rollback resets
them; the autouse fixture below also clears them explicitly, so a lockout can never leak into other tests.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.urls import reverse

from safeguarding_portal.accounts.templatetags.accounts_tags import duration_words
from safeguarding_portal.accounts.testing import password_sign_in
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _no_lockouts_before_or_after():
    axes_reset()
    yield
    axes_reset()


def _fail(client, email="staff@oak.example", times=1, **extra):
    return [password_sign_in(client, email, "wrong-password-123", **extra) for _ in range(times)]


def test_limit_of_wrong_passwords_locks_out_with_a_clear_page_and_audit_rows(client, staff):
    responses = _fail(client, times=LIMIT)

    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)
    locked = responses[-1]
    assert locked.status_code in (403, 429)
    assert b"Sign-in is paused for this account" in locked.content
    cooloff = duration_words(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME))  # "30 minutes" by default
    assert f"Try again in {cooloff}".encode() in locked.content
    assert f'href="{reverse("accounts:password_reset")}"'.encode() in locked.content
    failures = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, actor_email="staff@oak.example")
    assert failures.count() == LIMIT
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert lockout.actor_email == "staff@oak.example"
    assert lockout.ip == "127.0.0.1"
    assert AccessAttempt.objects.get(username="staff@oak.example").failures_since_start == LIMIT


def test_right_password_during_a_lockout_still_fails(client, staff):
    _fail(client, times=LIMIT)

    response = password_sign_in(client, "staff@oak.example", PASSWORD)

    assert response.status_code in (403, 429)
    assert b"Sign-in is paused for this account" in response.content
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.SIGNED_IN).exists()
    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).first()  # newest first
    assert refused.detail == {"locked_out": True}
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).count() == 2


def test_changing_the_case_of_the_email_does_not_buy_more_guesses(client, staff):
    _fail(client, "staff@oak.example", times=LIMIT - 1)

    response = password_sign_in(client, "STAFF@Oak.Example", "wrong-password-123")

    assert response.status_code in (403, 429)
    assert password_sign_in(client, "Staff@oak.example", PASSWORD).status_code in (403, 429)


def test_lockout_is_for_that_address_from_that_ip_only(client, staff, dsl):
    _fail(client, times=LIMIT)

    other_account = password_sign_in(client, "dsl@oak.example", PASSWORD)
    assert other_account.status_code == 302
    client.post(reverse("accounts:logout"))

    other_ip = password_sign_in(client, "staff@oak.example", PASSWORD, REMOTE_ADDR="192.0.2.44")
    assert other_ip.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_successful_sign_in_before_the_limit_starts_the_count_again(client, staff):
    _fail(client, times=LIMIT - 1)
    assert password_sign_in(client, "staff@oak.example", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    responses = _fail(client, times=LIMIT - 1)

    assert all(r.status_code == 200 for r in responses)
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_unknown_addresses_are_locked_out_the_same_way(client, staff):
    responses = _fail(client, "nobody@oak.example", times=LIMIT)

    assert responses[-1].status_code in (403, 429)
    assert AuditEvent.objects.get(action=AuditAction.LOCKED_OUT).actor_email == "nobody@oak.example"

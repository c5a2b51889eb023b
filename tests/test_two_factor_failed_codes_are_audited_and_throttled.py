"""Wrong codes at the two-factor check are recorded, and guessing is slowed down (django-otp's throttling)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.testing import password_sign_in, totp_code, wrong_totp_code
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:two_factor_verify")


@pytest.fixture
def phone(deputy):
    return TOTPDevice.objects.create(user=deputy, name="Authenticator app", confirmed=True)


def test_wrong_code_is_refused_audited_and_keeps_them_out(client, deputy, phone):
    password_sign_in(client, deputy.email, PASSWORD, REMOTE_ADDR="198.51.100.7")

    response = client.post(VERIFY, {"code": wrong_totp_code(phone), "next": "/"}, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    failed = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_FAILED)
    assert failed.actor == deputy
    assert failed.ip == "198.51.100.7"
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_VERIFIED).exists()


def test_empty_code_gets_a_message_not_an_error_page(client, deputy, phone):
    password_sign_in(client, deputy.email, PASSWORD)

    response = client.post(VERIFY, {"code": ""})

    assert response.status_code == 200
    assert b"Type the code from your authenticator app" in response.content


def test_after_repeated_wrong_codes_even_the_right_code_waits_and_they_are_told_so(client, deputy, phone):
    password_sign_in(client, deputy.email, PASSWORD)
    client.post(VERIFY, {"code": wrong_totp_code(phone)})
    client.post(VERIFY, {"code": wrong_totp_code(phone)})

    response = client.post(VERIFY, {"code": totp_code(phone)})

    assert response.status_code == 200
    assert b"Too many wrong codes in a row. Wait" in response.content
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=deputy).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).first().detail["throttled_seconds"] > 0

    # Once the wait is over, the app's code works.
    phone.refresh_from_db()
    TOTPDevice.objects.filter(pk=phone.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert client.post(VERIFY, {"code": totp_code(phone, steps_ahead=1)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_used_code_cannot_be_replayed(client, deputy, phone):
    password_sign_in(client, deputy.email, PASSWORD)
    code = totp_code(phone)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))

    password_sign_in(client, deputy.email, PASSWORD)
    replay = client.post(VERIFY, {"code": code})

    assert replay.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=deputy).count() == 1


def test_verify_page_is_not_reachable_before_password_sign_in(client, deputy, phone):
    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

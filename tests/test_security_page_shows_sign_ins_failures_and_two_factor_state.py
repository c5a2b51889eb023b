"""The sign-in and security page: two-factor state, backup codes left, and recent sign-ins and failures."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts import services
from safeguarding_portal.accounts.testing import password_sign_in, totp_code
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

SECURITY = reverse("accounts:security")


def test_staff_member_sees_two_factor_off_and_their_sign_ins(client, staff):
    password_sign_in(client, staff.email, PASSWORD, REMOTE_ADDR="203.0.113.20", HTTP_USER_AGENT="Firefox on a laptop")

    response = client.get(SECURITY)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Off." in content and "Your role requires it" not in content
    assert f'href="{reverse("accounts:two_factor_setup")}"' in content
    assert "203.0.113.20" in content and "Firefox on a laptop" in content


def test_failed_passwords_for_their_address_are_shown_to_them_not_to_others(client, staff, osl):
    password_sign_in(client, "Staff@oak.example", "wrong-guess-123", REMOTE_ADDR="198.51.100.66")
    password_sign_in(client, "osl@oak.example", "wrong-guess-123", REMOTE_ADDR="198.51.100.77")
    password_sign_in(client, staff.email, PASSWORD)

    failures = re.search(r'data-testid="failed-attempts">(.*?)</table>', client.get(SECURITY).content.decode(), re.S)

    assert failures
    assert "198.51.100.66" in failures.group(1)
    assert "Sign-in failed" in failures.group(1)
    assert "198.51.100.77" not in failures.group(1)


def test_dsl_with_two_factor_sees_it_on_and_the_backup_codes_left(client, dsl):
    TOTPDevice.objects.create(user=dsl, name="Authenticator app", confirmed=True)
    codes = services.backup_codes_regenerate(user=dsl)
    password_sign_in(client, dsl.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})

    content = client.get(SECURITY).content.decode()

    assert "(required for your role)" in content
    assert "9 backup codes left" in content
    assert codes[1] not in content
    assert "Backup code used" in content
    assert f'action="{reverse("accounts:backup_codes")}"' in content


def test_security_page_needs_two_factor_first_for_a_dsl(client, dsl):
    TOTPDevice.objects.create(user=dsl, name="Authenticator app", confirmed=True)
    password_sign_in(client, dsl.email, PASSWORD)

    assert client.get(SECURITY)["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_security_page_markup_has_headed_sections_and_no_inline_styles(client, head):
    phone = TOTPDevice.objects.create(user=head, name="Authenticator app", confirmed=True)
    password_sign_in(client, head.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(phone)})

    content = client.get(SECURITY).content.decode()

    for heading in ["tfa-heading", "pw-heading", "recent-heading", "failed-heading"]:
        assert f'aria-labelledby="{heading}"' in content and f'id="{heading}"' in content
    assert "style=" not in content


def test_changing_the_password_is_audited_and_signs_out_other_browsers(client, staff):
    other_browser = Client()
    password_sign_in(other_browser, staff.email, PASSWORD)
    password_sign_in(client, staff.email, PASSWORD)
    new = "another-long-passphrase-77"

    response = client.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("home")).status_code == 200
    assert other_browser.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=staff).count() == 1


def test_a_wrong_current_password_changes_nothing(client, staff):
    password_sign_in(client, staff.email, PASSWORD)
    new = "another-long-passphrase-77"

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it-at-all", "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()

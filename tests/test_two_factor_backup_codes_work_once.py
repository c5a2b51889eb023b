"""A backup code gets someone without their phone in once, and is then used up."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.testing import password_sign_in, totp_code
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


@pytest.fixture
def enrolled_head(client, head):
    """The headteacher has enrolled (through the real pages) and signed out; returns their backup codes."""
    password_sign_in(client, head.email, PASSWORD)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    codes = client.post(SETUP, {"code": totp_code(device)}).context["codes"]
    client.post(reverse("accounts:logout"))
    return codes


def test_backup_code_signs_in_once_and_is_consumed(client, head, enrolled_head):
    code = enrolled_head[3]
    password_sign_in(client, head.email, PASSWORD)

    # Typed as shown on the page, with its dash and in capitals.
    response = client.post(VERIFY, {"code": f"{code[:5]}-{code[5:]}".upper(), "next": reverse("schools:settings")})

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:settings")
    page = client.get(reverse("schools:settings"))
    assert page.status_code == 200
    assert b"You used a backup code. 9 remain" in page.content
    assert not StaticToken.objects.filter(device__user=head, token=code).exists()
    assert StaticToken.objects.filter(device__user=head).count() == 9
    event = AuditEvent.objects.get(action=AuditAction.BACKUP_CODE_USED)
    assert event.actor == head
    assert event.detail == {"backup_codes_left": 9}

    client.post(reverse("accounts:logout"))
    password_sign_in(client, head.email, PASSWORD)
    again = client.post(VERIFY, {"code": code, "next": "/"})

    assert again.status_code == 200
    assert b"That code is not right" in again.content
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=head).count() == 1


def test_a_wrong_app_code_does_not_hold_up_a_backup_code(client, head, enrolled_head):
    password_sign_in(client, head.email, PASSWORD)
    client.post(VERIFY, {"code": "000000"})  # a mistyped app code, then straight to a backup code

    response = client.post(VERIFY, {"code": enrolled_head[0]})

    assert response.status_code == 302


def test_making_new_backup_codes_needs_a_verified_session_and_replaces_the_old_ones(client, head, enrolled_head):
    password_sign_in(client, head.email, PASSWORD)
    client.post(VERIFY, {"code": enrolled_head[0]})

    response = client.post(reverse("accounts:backup_codes"))

    assert response.status_code == 200
    new_codes = response.context["codes"]
    assert b"Your old codes no longer work" in response.content
    stored = set(StaticToken.objects.filter(device__user=head).values_list("token", flat=True))
    assert stored == set(new_codes)
    assert not stored & set(enrolled_head)
    assert AuditEvent.objects.filter(action=AuditAction.BACKUP_CODES_REGENERATED, actor=head).count() == 2
    assert client.get(reverse("accounts:backup_codes")).status_code == 405

"""Password sign-in: staff go straight to their home page; every attempt is in the audit log with its IP."""

import pytest
from django.urls import reverse

from safeguarding_portal.accounts.testing import password_sign_in
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_member_signs_in_and_lands_on_home_with_no_code_asked(client, staff):
    response = password_sign_in(client, "staff@oak.example", PASSWORD, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"Report a concern" in home.content
    assert int(client.session["_auth_user_id"]) == staff.pk
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN)
    assert event.actor == staff
    assert event.actor_email == "staff@oak.example"
    assert event.ip == "203.0.113.9"
    assert not AuditEvent.objects.filter(action__startswith="2fa.").exists()


def test_email_address_is_matched_whatever_its_case(client, staff):
    response = password_sign_in(client, "  Staff@OAK.example ", PASSWORD)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk


def test_wrong_password_keeps_the_typed_email_says_why_and_is_audited(client, staff):
    response = password_sign_in(client, "staff@oak.example", "not-the-password")

    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert b'value="staff@oak.example"' in response.content
    assert "_auth_user_id" not in client.session
    failure = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failure.actor is None
    assert failure.actor_email == "staff@oak.example"
    assert failure.ip == "127.0.0.1"
    assert not AuditEvent.objects.filter(action=AuditAction.SIGNED_IN).exists()


def test_unknown_address_gets_the_same_message_as_a_wrong_password(client, staff):
    response = password_sign_in(client, "nobody@oak.example", PASSWORD)

    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, actor_email="nobody@oak.example").exists()


def test_switched_off_account_cannot_sign_in(client, staff):
    staff.is_active = False
    staff.save()

    response = password_sign_in(client, "staff@oak.example", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.SIGNED_IN).exists()


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, staff):
    kept = password_sign_in(client, "staff@oak.example", PASSWORD, next_url=reverse("emergency_contacts"))
    assert kept["Location"] == reverse("emergency_contacts")

    client.post(reverse("accounts:logout"))
    offsite = password_sign_in(client, "staff@oak.example", PASSWORD, next_url="https://evil.example/")
    assert offsite["Location"] == reverse("home")


def test_signing_out_ends_the_session_and_is_audited(client, staff):
    password_sign_in(client, "staff@oak.example", PASSWORD)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT, actor=staff).count() == 1
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))


def test_anonymous_visitor_is_sent_to_sign_in_with_the_page_kept(client, staff):
    response = client.get(reverse("emergency_contacts"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/emergency-contacts/"


def test_signing_out_after_the_session_expired_just_shows_sign_in(client):
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "resume_posts" not in client.session

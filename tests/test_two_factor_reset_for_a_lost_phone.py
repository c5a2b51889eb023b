"""A user who lost their phone gets back in through a recorded reset: from the admin or the command line."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts import services
from safeguarding_portal.accounts.testing import password_sign_in, totp_code
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .conftest import sign_in
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@trust.example", full_name="Portal Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def dsl_with_phone(dsl):
    TOTPDevice.objects.create(user=dsl, name="Authenticator app", confirmed=True)
    services.backup_codes_regenerate(user=dsl)
    return dsl


def test_admin_action_asks_why_then_resets_and_records_who_reset_whom(client, admin_user, dsl_with_phone):
    sign_in(client, admin_user)
    dsl_session = sign_in(Client(), dsl_with_phone)
    assert dsl_session.get(reverse("home")).status_code == 200

    ask = client.post(CHANGELIST, {"action": "reset_two_factor", "_selected_action": [dsl_with_phone.pk]})

    assert ask.status_code == 200
    assert b"Why is two-factor sign-in being reset?" in ask.content
    assert b"dsl@oak.example" in ask.content
    assert TOTPDevice.objects.filter(user=dsl_with_phone).exists()  # nothing happens until they say why

    no_reason = client.post(
        CHANGELIST,
        {"action": "reset_two_factor", "_selected_action": [dsl_with_phone.pk], "apply": "yes", "reason": ""},
    )
    assert no_reason.status_code == 200
    assert TOTPDevice.objects.filter(user=dsl_with_phone).exists()

    done = client.post(
        CHANGELIST,
        {
            "action": "reset_two_factor",
            "_selected_action": [dsl_with_phone.pk],
            "apply": "yes",
            "reason": "Lost phone; rang the office, identity checked",
        },
    )

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=dsl_with_phone).exists()
    assert not StaticDevice.objects.filter(user=dsl_with_phone).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.actor == admin_user
    assert event.actor_email == "admin@trust.example"
    assert (event.object_type, event.object_id) == ("accounts.user", str(dsl_with_phone.pk))
    assert event.detail["reason"] == "Lost phone; rang the office, identity checked"
    assert event.detail["user"] == "dsl@oak.example"
    assert event.ip == "127.0.0.1"
    # The session they had verified with the lost phone no longer counts.
    assert dsl_session.get(reverse("home"))["Location"].startswith(SETUP)


def test_after_a_reset_they_enrol_a_new_phone_at_next_sign_in(client, dsl_with_phone):
    services.two_factor_reset(user=dsl_with_phone, by=None, reason="Lost phone")

    password_sign_in(client, dsl_with_phone.email, PASSWORD)
    assert client.get(reverse("home"))["Location"].startswith(SETUP)
    client.get(SETUP)
    new_phone = TOTPDevice.objects.get(user=dsl_with_phone, confirmed=False)
    assert client.post(SETUP, {"code": totp_code(new_phone)}).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_management_command_resets_and_records_the_administrator(admin_user, dsl_with_phone, capsys):
    call_command("reset_two_factor", "DSL@oak.example", reason="Phone stolen", by="admin@trust.example")

    assert "Two-factor sign-in reset for dsl@oak.example" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=dsl_with_phone).exists()
    assert not StaticDevice.objects.filter(user=dsl_with_phone).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.actor == admin_user
    assert event.object_id == str(dsl_with_phone.pk)
    assert event.detail["reason"] == "Phone stolen"
    assert "dsl@oak.example" in event.summary and "admin@trust.example" in event.summary


def test_management_command_without_by_is_recorded_as_the_command_line(dsl_with_phone):
    call_command("reset_two_factor", "dsl@oak.example", reason="Phone stolen")

    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.actor is None
    assert "command line" in event.summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@oak.example", "--reason", "x"], "No account with the email address nobody@oak.example"),
        (["dsl@oak.example", "--reason", "x", "--by", "ghost@trust.example"], "ghost@trust.example"),
        (["dsl@oak.example", "--reason", "   "], "Give a reason"),
    ],
)
def test_management_command_refuses_bad_input_and_changes_nothing(dsl_with_phone, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("reset_two_factor", *args)

    assert TOTPDevice.objects.filter(user=dsl_with_phone).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_RESET).exists()


def test_admin_pages_need_two_factor_even_for_an_admin_whose_roles_do_not(client, school):
    from .factories import MembershipFactory

    office = UserFactory(email="office@oak.example", is_staff=True)
    MembershipFactory(user=office, school=school)
    password_sign_in(client, office.email, PASSWORD)

    assert client.get(reverse("home")).status_code == 200  # an ordinary page: staff role, no code needed
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)

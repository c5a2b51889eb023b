"""The campaign page chases the unsigned: a reminder to one parent (or member of staff) or to everyone still
waiting, sent at once, never more than one a day per person whoever asks (the office or the sweep)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aup.models import Campaign, EventKind, Invitation, SignatureEvent
from aup.reminders import KIND, chase_unsigned
from safeguarding_portal.audit.chain import verify
from safeguarding_portal.reminders.models import Digest, Reminder

from . import factories_aup as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(school):
    """Two families; their emails went a week ago (so the sweep is due today too); nobody has signed."""
    hannah = f.family(school, email="hannah@home.example")
    priya = f.family(school, email="priya@home.example", children=1, class_name="6A")
    camp = f.campaign(school, notify=False)
    Invitation.objects.filter(campaign=camp).update(sent_at=timezone.now() - datetime.timedelta(days=7))
    return camp, hannah, priya


def _chase(client, camp, **data):
    return client.post(reverse("aup:campaign_chase", args=[camp.pk]), data)


def _messages(response) -> list[str]:
    return [m.message for m in response.wsgi_request._messages]


def test_a_reminder_to_one_parent_goes_at_once_with_their_own_link(
    waiting, dsl, signed_in, django_capture_on_commit_callbacks
):
    camp, hannah, _ = waiting
    invitation = f.invitation_of(camp, hannah.guardian)
    client = signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        response = _chase(client, camp, invitation=invitation.pk)
    assert response.status_code == 302
    assert "Reminder sent to Hannah Morgan." in _messages(response)

    reminder = Reminder.objects.get(kind=KIND)
    assert (reminder.recipient_email, reminder.key, reminder.on) == (
        "hannah@home.example",
        f"invitation:{invitation.pk}",
        timezone.localdate(),
    )
    (email,) = mail.outbox
    assert email.to == ["hannah@home.example"]
    from aup import services

    assert services.signing_url(invitation) in email.body
    assert "Oliver" not in email.body and "Isla" not in email.body  # no child's name leaves the school
    event = SignatureEvent.objects.get(kind=EventKind.REMINDED)
    assert event.invitation == invitation and event.actor == dsl.full_name
    assert event.data["asked_by"] == dsl.full_name
    assert verify(SignatureEvent) == []
    page = client.get(reverse("aup:campaign", args=[camp.pk]))
    assert page.content.decode().count('data-testid="reminded-today"') == 1


def test_a_second_reminder_the_same_day_is_not_sent(waiting, dsl, signed_in, django_capture_on_commit_callbacks):
    camp, hannah, _ = waiting
    invitation = f.invitation_of(camp, hannah.guardian)
    client = signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        _chase(client, camp, invitation=invitation.pk)
        response = _chase(client, camp, invitation=invitation.pk)
    assert "Hannah Morgan was already reminded today: nobody is reminded more than once a day." in _messages(response)
    assert Reminder.objects.filter(kind=KIND).count() == 1 and len(mail.outbox) == 1
    assert SignatureEvent.objects.filter(kind=EventKind.REMINDED).count() == 1

    # Nor does the morning sweep chase her again today; it chases the others it is due to.
    assert chase_unsigned(today=timezone.localdate()) == 3
    assert Reminder.objects.filter(kind=KIND, recipient_email="hannah@home.example").count() == 1


def test_everyone_waiting_is_reminded_once_in_one_event(waiting, dsl, signed_in, django_capture_on_commit_callbacks):
    camp, hannah, _ = waiting
    client = signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        _chase(client, camp, invitation=f.invitation_of(camp, hannah.guardian).pk)
        response = _chase(client, camp)
    assert "Reminder sent to 3 people." in _messages(response)
    assert "1 person already reminded today: nobody is reminded more than once a day." in _messages(response)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "hannah@home.example",
        "other.hannah@home.example",
        "other.priya@home.example",
        "priya@home.example",
    ]
    everyone = SignatureEvent.objects.get(kind=EventKind.REMINDED, invitation__isnull=True)
    assert sorted(everyone.data["invitations"]) == sorted(
        Invitation.objects.filter(campaign=camp).exclude(email="hannah@home.example").values_list("pk", flat=True)
    )
    assert verify(SignatureEvent) == []
    page = client.get(reverse("aup:campaign", args=[camp.pk])).content.decode()
    assert "Everyone waiting was reminded today" in page


def test_someone_who_had_todays_email_gets_the_reminder_with_tomorrows(
    waiting, dsl, signed_in, django_capture_on_commit_callbacks
):
    camp, hannah, _ = waiting
    Digest.objects.create(recipient_email="hannah@home.example", on=timezone.localdate(), subject="s", body="b")
    with django_capture_on_commit_callbacks(execute=True):
        response = _chase(signed_in(dsl), camp, invitation=f.invitation_of(camp, hannah.guardian).pk)
    assert any("goes with tomorrow morning's (one email a day)" in m for m in _messages(response))
    assert mail.outbox == [] and Digest.objects.count() == 1
    assert Reminder.objects.get(kind=KIND).digest is None  # tomorrow's digest picks it up


def test_a_bounced_address_is_not_chased(waiting, dsl, signed_in):
    from aup import services

    camp, hannah, _ = waiting
    invitation = f.invitation_of(camp, hannah.guardian)
    services.mark_bounced(invitation=invitation, by=dsl)
    response = _chase(signed_in(dsl), camp, invitation=invitation.pk)
    assert any("the email bounced" in m for m in _messages(response))
    assert not Reminder.objects.exists()


def test_a_closed_campaign_chases_nobody(waiting, dsl, signed_in):
    camp, _, _ = waiting
    Campaign.objects.filter(pk=camp.pk).update(closed_at=timezone.now())
    response = _chase(signed_in(dsl), camp)
    assert any("has closed" in m for m in _messages(response))
    assert not Reminder.objects.exists() and not SignatureEvent.objects.filter(kind=EventKind.REMINDED).exists()


def test_a_member_of_staff_is_reminded_to_sign_the_staff_agreement(
    school, dsl, staff, signed_in, django_capture_on_commit_callbacks
):
    from aup.models import Audience, SigningRequest

    camp = f.campaign(school, scope=Campaign.Scope.STAFF, audience=Audience.STAFF, notify=False)
    request = SigningRequest.objects.get(campaign=camp, user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _chase(signed_in(dsl), camp, request=request.pk)
    assert f"Reminder sent to {staff.full_name}." in _messages(response)
    assert Reminder.objects.get(kind=KIND).key == f"request:{request.pk}"
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert SignatureEvent.objects.get(kind=EventKind.REMINDED).request == request

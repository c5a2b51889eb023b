"""The sweep chases parents who have not answered, on the campaign's schedule, never twice a day."""

import datetime

import pytest
from django.utils import timezone

from aup import services
from aup.models import Campaign, EventKind, Invitation, SignatureEvent
from aup.reminders import KIND, chase_unsigned
from safeguarding_portal.audit.chain import verify
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.services import send_digests

from . import factories_aup as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_week_ago(school):
    hannah = f.family(school, email="hannah@home.example")
    signer = f.family(school, email="signer@home.example", children=1)
    camp = f.campaign(school, notify=False)
    week_ago = timezone.now() - datetime.timedelta(days=7)
    Invitation.objects.filter(campaign=camp).update(sent_at=week_ago)
    f.sign_invitation(f.invitation_of(camp, signer.guardian))
    return camp, hannah


def test_unsigned_parents_are_reminded_once_with_their_own_link_and_no_childs_name(sent_week_ago):
    camp, hannah = sent_week_ago
    today = timezone.localdate()
    # Hannah and her partner; the signer's family is done (the partner's request is covered).
    assert chase_unsigned(today=today) == 2
    assert chase_unsigned(today=today) == 0  # a re-run the same day records nothing more
    reminder = Reminder.objects.get(recipient_email=hannah.guardian.email, kind=KIND)
    invitation = f.invitation_of(camp, hannah.guardian)
    assert reminder.url == services.signing_url(invitation)
    assert "Oliver" not in reminder.text and "Morgan" not in reminder.text
    assert send_digests(on=today) == 2


def test_the_day_is_one_reminded_link_in_the_evidence_chain_naming_each_invitation(sent_week_ago):
    camp, hannah = sent_week_ago
    today = timezone.localdate()
    chase_unsigned(today=today)
    chase_unsigned(today=today)
    (event,) = SignatureEvent.objects.filter(kind=EventKind.REMINDED)
    reminded = Invitation.objects.filter(campaign=camp, email__in=[hannah.guardian.email, hannah.other_guardian.email])
    assert event.campaign_id == camp.pk and event.invitation_id is None
    assert event.data["invitations"] == sorted(reminded.values_list("pk", flat=True))
    assert event.compute_hash() == event.hash
    assert not verify(SignatureEvent)


def test_not_due_on_other_days_and_never_after_closing(sent_week_ago):
    camp, _ = sent_week_ago
    today = timezone.localdate()
    assert chase_unsigned(today=today + datetime.timedelta(days=1)) == 0
    Campaign.objects.filter(pk=camp.pk).update(closed_at=timezone.now())
    assert chase_unsigned(today=today) == 0
    assert not Reminder.objects.exists()


def test_a_bounced_email_is_not_chased(sent_week_ago, dsl):
    camp, hannah = sent_week_ago
    services.mark_bounced(invitation=f.invitation_of(camp, hannah.guardian), by=dsl)
    assert chase_unsigned(today=timezone.localdate()) == 1

"""Two beat processes running the agreements sweep at the same moment (PostgreSQL, real concurrent
transactions): the second waits for the first, finds its reminders, and records nothing; neither fails."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from aup.models import EventKind, Invitation, SignatureEvent
from aup.reminders import KIND, chase_unsigned
from safeguarding_portal.audit.chain import verify
from safeguarding_portal.reminders.models import Reminder

from . import factories_aup as f
from .concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_record_each_reminder_once(school):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (CI runs the suite on PostgreSQL too)")
    for n in range(6):
        f.family(school, children=1, email=f"parent{n}@home.example")
    camp = f.campaign(school, notify=False)
    Invitation.objects.filter(campaign=camp).update(sent_at=timezone.now() - datetime.timedelta(days=7))
    today = timezone.localdate()
    recorded = at_once(lambda: chase_unsigned(today=today))

    assert sorted(recorded) == [0, 12]  # six families, two carers each
    assert Reminder.objects.filter(kind=KIND, on=today).count() == 12
    assert SignatureEvent.objects.filter(kind=EventKind.REMINDED).count() == 1
    assert not verify(SignatureEvent)

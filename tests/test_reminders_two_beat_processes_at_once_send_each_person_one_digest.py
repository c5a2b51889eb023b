"""Two beat processes firing the digest run at the same moment (PostgreSQL, real concurrent transactions):
each person still gets exactly one email."""

import datetime

import pytest
from django.core import mail
from django.db import connection

from safeguarding_portal.reminders import services
from safeguarding_portal.reminders.models import Digest, Reminder

from .concurrency import at_once

DAY = datetime.date(2026, 11, 24)
PEOPLE = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_digest_runs_send_one_email_per_person(school):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (CI runs the suite on PostgreSQL too)")
    for n in range(PEOPLE):
        for k in range(2):
            services.remind(
                recipient_email=f"person{n}@oak.example",
                kind="test.kind",
                key=f"k:{k}",
                text=f"Item {k}",
                on=DAY,
                school=school,
            )
    sent = at_once(lambda: services.send_digests(on=DAY))

    assert sum(sent) == PEOPLE
    assert Digest.objects.filter(on=DAY).count() == PEOPLE
    assert not Reminder.objects.filter(on=DAY, digest__isnull=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"person{n}@oak.example" for n in range(PEOPLE))

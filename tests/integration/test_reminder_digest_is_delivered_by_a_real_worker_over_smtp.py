"""The reminder digest end to end: reminders recorded, the digest task run by a real Celery worker through
Redis, each person's one email delivered over SMTP to a real server on loopback, and a second run sending
nothing more."""

import time

import pytest

from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.reminders import services
from safeguarding_portal.reminders.models import Digest, Reminder

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def test_each_person_gets_one_digest_through_the_worker_and_a_rerun_sends_nothing(school, celery_worker, inbox):
    ann, bob = "ann.digest@oak.example", "bob.digest@oak.example"
    for n in range(3):
        services.remind(
            recipient_email=ann,
            kind="test.due",
            key=f"thing:{n}",
            text=f"Agreement {n} to sign",
            url=f"/agreements/{n}/",
            school=school,
        )
    services.remind(
        recipient_email=bob,
        kind="test.due",
        key="thing:9",
        text="Training expires soon",
        url="/curriculum/",
        school=school,
    )

    enqueue("reminders.send_digests")  # as beat does every morning

    [to_ann] = wait_until(
        lambda: inbox.to(ann), timeout=60, what=f"a digest to {ann}", diagnostics=celery_worker.log_tail
    )
    wait_until(lambda: inbox.to(bob), timeout=60, what=f"a digest to {bob}", diagnostics=celery_worker.log_tail)
    assert "3 things due" in to_ann["Subject"]
    body = to_ann.get_content()
    assert all(f"Agreement {n} to sign" in body for n in range(3)) and "/agreements/2/" in body
    wait_until(
        lambda: Digest.objects.filter(status=Digest.Status.SENT).count() == 2,
        timeout=30,
        what="both digests marked sent by the worker",
        diagnostics=celery_worker.log_tail,
    )
    assert not Reminder.objects.filter(digest__isnull=True).exists()

    # Beat firing again (or a second beat process): the worker finds everything sent and sends nothing.
    enqueue("reminders.send_digests")
    time.sleep(3)
    assert len(inbox.to(ann)) == 1 and len(inbox.to(bob)) == 1
    assert Digest.objects.count() == 2

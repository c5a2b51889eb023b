"""Paging end to end: a critical monitoring alert's page travels outbox, Redis, a real Celery worker and SMTP
to the DSL team, saying nothing about the child; the resend sweep, run by the worker as beat would run it,
sends it once more with the head, and a second sweep sends nothing."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from monitoring import services
from monitoring.models import Channel, Page
from safeguarding_portal.outbox.services import enqueue

from .. import factories_monitoring as f
from ..factories import PupilFactory
from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def test_a_critical_alert_reaches_the_team_then_the_head_through_the_worker(
    school, dsl, deputy, head, celery_worker, inbox
):
    PupilFactory(school=school, network_username="kid7", legal_forename="Zebedee")
    # Arrived 20 minutes ago: paged at once, and by now overdue for pick-up.
    arrived = timezone.now() - datetime.timedelta(minutes=20)
    [alert] = services.alert_receive(
        school=school,
        channel=Channel.WEBHOOK,
        received_at=arrived,
        incoming=[
            f.incoming(
                severity="critical",
                rule="Suicide",
                username="kid7",
                captured_text="end it tonight",
                activity_at=arrived,
            )
        ],
    ).alerts

    for person in (dsl, deputy):
        wait_until(
            lambda p=person: inbox.to(p.email),
            timeout=60,
            what=f"the page to {person.email}",
            diagnostics=celery_worker.log_tail,
        )
    [page] = inbox.to(dsl.email)
    body = page.get_content()
    assert page["Subject"].startswith("URGENT") and alert.reference in body
    for secret in ("Zebedee", "kid7", "end it tonight", "Suicide"):
        assert secret not in page["Subject"] and secret not in body
    assert not inbox.to(head.email)

    enqueue("monitoring.resend_sweep")  # as beat does every two minutes
    [again] = wait_until(
        lambda: inbox.to(head.email),
        timeout=60,
        what="the re-sent page to the head",
        diagnostics=celery_worker.log_tail,
    )
    assert "Nobody has picked this up" in again.get_content()
    assert sorted(Page.objects.get(alert=alert, kind="resend").recipients) == sorted(
        [dsl.email, deputy.email, head.email]
    )

    enqueue("monitoring.resend_sweep")  # beat again: exactly once
    time.sleep(3)
    assert len(inbox.to(head.email)) == 1 and len(inbox.to(dsl.email)) == 2

"""A report whose process dies after COMMIT, before the outbox sent anything, is still whole and still alerts.

The report, its chained entries, its alert and the alert's email are committed together with the outbox
messages that send them. The messages go to the broker after COMMIT, all in one dispatch; a web worker killed
in between (OOM, a deploy) leaves them in the outbox, and the drain (beat, every minute) sends them.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import Alert, EntryKind, Incident, TimelineEntry
from safeguarding_portal.audit import chain
from safeguarding_portal.celery import app
from safeguarding_portal.outbox import services as outbox
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage

from .factories import PupilFactory
from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    sent: list[tuple[str, dict]] = []
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "send_task", lambda name, kwargs, **kw: sent.append((name, kwargs)))
    monkeypatch.setattr(outbox, "_broker_marked_down", lambda: False)
    return sent


def test_the_committed_report_waits_in_the_outbox_and_the_drain_sends_its_alert(
    client, signed_in, school, staff, dsl, broker, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school)
    signed_in(staff)
    # The callbacks after COMMIT never run: the process died there.
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = client.post(
            reverse("incidents:report"), report_payload(pupil=[str(pupil.pk)], **{f"pupil_role_{pupil.pk}": "harmed"})
        )
    assert response.status_code == 302 and after_commit and broker == []

    incident = Incident.objects.get()
    assert list(TimelineEntry.objects.filter(incident=incident).order_by("seq").values_list("kind", flat=True)) == [
        EntryKind.REPORTED,
        EntryKind.ALERT,
    ]
    assert chain.verify(TimelineEntry) == []
    assert incident.pupil_links.get().pupil == pupil
    assert Alert.objects.filter(incident=incident, kind=Alert.Kind.NEW_REPORT).exists()
    delivery = EmailDelivery.objects.get(reference=incident.reference)
    pending = OutboxMessage.objects.filter(dispatched_at__isnull=True)
    assert sorted(pending.values_list("task_name", flat=True)) == ["curriculum.check_gaps", "outbox.deliver_email"]

    assert outbox.drain() == 2

    assert sorted(name for name, _ in broker) == ["curriculum.check_gaps", "outbox.deliver_email"]
    assert ("outbox.deliver_email", {"delivery_id": delivery.pk}) in broker
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    assert outbox.drain() == 0  # sent once, never twice


@pytest.mark.django_db(transaction=True)  # a real COMMIT, whose callbacks send the report's messages together
def test_a_dispatch_that_finds_the_broker_gone_keeps_every_message_for_the_drain(
    client, signed_in, school, staff, dsl, monkeypatch
):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(outbox, "_broker_marked_down", lambda: False)
    monkeypatch.setattr(outbox, "_mark_broker_down", lambda: None)

    def refuse(name, **kwargs):
        raise ConnectionError("broker gone")

    monkeypatch.setattr(app, "send_task", refuse)
    signed_in(staff)
    response = client.post(reverse("incidents:report"), report_payload())
    assert response.status_code == 302
    assert Incident.objects.count() == 1
    pending = OutboxMessage.objects.filter(dispatched_at__isnull=True)
    assert pending.count() == 2  # the first failed and was recorded; the second was left for the drain
    assert [m.last_error for m in pending.order_by("created_at") if m.last_error] == ["ConnectionError: broker gone"]

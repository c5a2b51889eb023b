"""The outbox sends a task and asks for no result: the outbox row is the record of it, and nothing ever reads a
task's return value. Asking for one makes Celery subscribe to the result channel on every send (two more
Redis round trips on each signing, each report), which the start-of-year rush cannot afford."""

from __future__ import annotations

import contextlib

import pytest

from safeguarding_portal.celery import app
from safeguarding_portal.outbox import services
from safeguarding_portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_send(monkeypatch):
    """A broker that records what it is sent, and a result backend that records who subscribes to it."""
    sent: list[dict] = []
    subscribed: list[str] = []
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(
        app.amqp,
        "send_task_message",
        lambda producer, name, message, **kw: sent.append({"name": name, "headers": message.headers}),
    )
    monkeypatch.setattr(type(app.backend), "on_task_call", lambda self, producer, task_id: subscribed.append(task_id))
    monkeypatch.setattr(services, "_broker_marked_down", lambda: False)
    # No broker connection at all: the producer is whatever the pool would give, unused by the fakes above.
    monkeypatch.setattr(app, "producer_or_acquire", _no_producer)
    return sent, subscribed


class _Connection:
    @staticmethod
    def _reraise_as_library_errors():
        return contextlib.nullcontext()


class _Producer:
    connection = _Connection()


def _no_producer(producer=None):
    return contextlib.nullcontext(_Producer())


def test_a_dispatched_message_is_sent_once_and_subscribes_to_no_result(broker_send):
    sent, subscribed = broker_send
    message = OutboxMessage.objects.create(task_name="aup.issue_certificates", kwargs={"signature_ids": [1]})

    assert services.dispatch(message.pk, from_request=True) is True

    assert [s["name"] for s in sent] == ["aup.issue_certificates"]
    assert sent[0]["headers"]["ignore_result"] is True
    assert subscribed == []
    message.refresh_from_db()
    assert message.dispatched_at is not None and message.attempts == 1

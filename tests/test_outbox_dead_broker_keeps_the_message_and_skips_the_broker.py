"""With a broker that does not answer, sending fails fast, the message is kept, and requests stop trying.

No Redis is needed: the broker URL points at a closed local port, so the connection is refused at once.
pytest-timeout (not a timing assertion) is what would catch a hang.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from kombu import pools as kombu_pools

from safeguarding_portal.celery import app
from safeguarding_portal.outbox import services
from safeguarding_portal.outbox.models import OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]

DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
RAN: list[str] = []


@app.task(name="tests.outbox_dead_broker.remember")
def remember(*, note: str) -> None:
    RAN.append(note)


def _reset_connections() -> None:
    # The app caches its connection and producer pools, and kombu keeps them in a global registry, all
    # for the broker URL they were made with: close them and forget them, so the next send connects anew.
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def dead_broker():
    """The Celery app's conf is global: whatever is changed here is put back, pools included."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=DEAD_BROKER_URL)
    _reset_connections()
    RAN.clear()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_connections()
        RAN.clear()


def _enqueue_and_commit(capture, note: str) -> OutboxMessage:
    with capture(execute=True):
        message = services.enqueue("tests.outbox_dead_broker.remember", note=note)
    message.refresh_from_db()
    return message


def test_a_dead_broker_keeps_the_message_pending_with_the_reason(dead_broker, django_capture_on_commit_callbacks):
    message = _enqueue_and_commit(django_capture_on_commit_callbacks, "first")

    assert message.dispatched_at is None
    assert message.attempts == 1
    assert "127.0.0.1:1" in message.last_error  # what went wrong, for the admin
    assert cache.get(services.BROKER_DOWN_KEY) is True


def test_dispatch_reports_failure_instead_of_raising(dead_broker):
    message = OutboxMessage.objects.create(task_name="tests.outbox_dead_broker.remember", kwargs={"note": "x"})

    assert services.dispatch(message.pk) is False

    message.refresh_from_db()
    assert (message.attempts, message.dispatched_at) == (1, None)
    assert "Connection refused" in message.last_error


def test_after_one_failure_requests_skip_the_broker(dead_broker, django_capture_on_commit_callbacks):
    _enqueue_and_commit(django_capture_on_commit_callbacks, "first")

    second = _enqueue_and_commit(django_capture_on_commit_callbacks, "second")

    # Not even tried: the request paid for the first failure only.
    assert (second.attempts, second.last_error, second.dispatched_at) == (0, "", None)


def test_the_drain_still_tries_and_stops_at_the_first_failure(dead_broker, django_capture_on_commit_callbacks):
    first = _enqueue_and_commit(django_capture_on_commit_callbacks, "first")
    second = _enqueue_and_commit(django_capture_on_commit_callbacks, "second")

    assert services.drain() == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.attempts == 2  # the drain ignores the marker: it is how messages get out
    assert "127.0.0.1:1" in first.last_error
    assert second.attempts == 0  # but one refusal is enough to stop this round


def test_kept_messages_go_once_the_broker_is_back(dead_broker, django_capture_on_commit_callbacks):
    kept = [_enqueue_and_commit(django_capture_on_commit_callbacks, note) for note in ("first", "second")]
    assert RAN == []

    # The broker is back (here: the in-process default), and the periodic drain runs.
    app.conf.update(task_always_eager=True)
    assert services.drain() == 2

    assert RAN == ["first", "second"]
    assert not OutboxMessage.objects.filter(pk__in=[m.pk for m in kept], dispatched_at__isnull=True).exists()

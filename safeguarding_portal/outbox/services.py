"""Enqueueing Celery tasks through the outbox.

`enqueue` is the only way the portal sends a task. In the embedded default (no REDIS_URL) tasks run
in-process on commit. With a broker, the message is sent on commit with short timeouts; if the broker
does not answer, the request carries on and `outbox_drain` (every minute from beat, or
`manage.py drain_outbox`) sends it later.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.celery import app
from safeguarding_portal.core.cache import cache_is_down

from .models import OutboxMessage

log = logging.getLogger(__name__)

# After one failure, skip the broker on the request path for a while: a dead broker costs one
# bounded wait, not one per request.
BROKER_DOWN_KEY = "outbox:broker-down"
BROKER_DOWN_SECONDS = 15


def enqueue(task_name: str, **kwargs: Any) -> OutboxMessage:
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    # robust: the caller's change is already committed and the message is kept, so a failure to send
    # must not turn their request into an error page; the drain sends it later.
    transaction.on_commit(lambda: dispatch(message.pk, from_request=True), robust=True)
    return message


def _broker_marked_down() -> bool:
    try:
        marked = bool(cache.get(BROKER_DOWN_KEY))
    except Exception:  # the cache may be the same Redis that is down
        return True
    # A cache that is skipping Redis answers "not marked": but the broker is usually that same Redis, so a
    # request would wait for it again. Leave the message to the drain.
    return marked or cache_is_down(cache)


def _mark_broker_down() -> None:
    try:
        cache.set(BROKER_DOWN_KEY, True, BROKER_DOWN_SECONDS)
    except Exception:
        log.warning("cache unavailable while marking the broker down")


def dispatch(message_id, *, from_request: bool = False) -> bool:
    """Send one message to the broker (or run it, when tasks are eager). True when it went."""
    if from_request and not app.conf.task_always_eager and _broker_marked_down():
        return False
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id, dispatched_at__isnull=True).first()
        if message is None:
            return False
        message.attempts += 1
        try:
            if app.conf.task_always_eager:
                # In a savepoint, so a task that fails on a database error leaves this transaction usable
                # for recording the failure. get() re-raises inside the block so the savepoint rolls back.
                with transaction.atomic():
                    app.tasks[message.task_name].apply(kwargs=message.kwargs, task_id=str(message.pk)).get()
            else:
                # Nothing reads a task's result (the outbox row is the record): without ignore_result, Celery
                # subscribes to the result channel on every send, two more Redis round trips per request.
                app.send_task(message.task_name, kwargs=message.kwargs, task_id=str(message.pk), ignore_result=True)
        except Exception as exc:  # the broker is down, or (eager) the task failed: keep the message
            log.warning("outbox: %s not sent: %s", message.task_name, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["attempts", "last_error"])
            if not app.conf.task_always_eager:
                _mark_broker_down()
            return False
        message.dispatched_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "dispatched_at", "last_error"])
    return True


def drain(*, limit: int = 500) -> int:
    """Send what is still pending, oldest first. Returns how many went."""
    sent = 0
    pending = list(
        OutboxMessage.objects.filter(dispatched_at__isnull=True).order_by("created_at").values_list("pk", flat=True)[
            :limit
        ]
    )
    for message_id in pending:
        if dispatch(message_id):
            sent += 1
        elif not app.conf.task_always_eager:
            break  # the broker is still down; the next drain will try again
    return sent

"""Enqueueing Celery tasks through the outbox.

`enqueue` is the only way the portal sends a task. In the embedded default (no REDIS_URL) tasks run
in-process on commit. With a broker, the message is sent on commit with short timeouts; if the broker
does not answer, the request carries on and `outbox_drain` (every minute from beat, or
`manage.py drain_outbox`) sends it later.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
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
    held = _held_messages()
    if held is not None:
        # Inside ``written_together()``: the row is written with the block's others, in one INSERT, at its end.
        message = OutboxMessage(task_name=task_name, kwargs=kwargs)
        held.append(message)
    else:
        message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    # The messages of one transaction (a report's gap check and alert email) are sent together after it
    # commits: one lock-send-mark transaction for all of them instead of one each. Each message registers its
    # own callback; the first to run after COMMIT sends every message of the batch whose callback is no longer
    # waiting (Django takes the whole list off the connection before running it), so the rest find theirs
    # sent. A message whose savepoint rolled back took its row with it: its id is simply not found.
    batch = _commit_batch()

    def flush() -> None:
        _flush(batch, message.pk)

    batch[message.pk] = flush
    # robust: the caller's change is already committed and the message is kept, so a failure to send
    # must not turn their request into an error page; the drain sends it later.
    transaction.on_commit(flush, robust=True)
    return message


def _held_messages() -> list[OutboxMessage] | None:
    return cast("list[OutboxMessage] | None", getattr(transaction.get_connection(), "_outbox_held", None))


@contextlib.contextmanager
def written_together() -> Iterator[None]:
    """Messages enqueued inside the block are written in one INSERT when it ends (a report's gap check and alert
    email: one statement instead of two), in the same transaction, so they commit or roll back with it as
    before. Only for a block with no savepoint that might roll back on its own (its messages would still be
    written); the block must run inside a transaction. On an exception nothing is written: the transaction is
    rolling back anyway."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("written_together() needs a transaction around it.")
    if getattr(connection, "_outbox_held", None) is not None:
        yield  # already inside one: the outer block writes them
        return
    held: list[OutboxMessage] = []
    connection._outbox_held = held  # our own mark on the connection, like _outbox_batch
    try:
        yield
    finally:
        connection._outbox_held = None
    if held:
        OutboxMessage.objects.bulk_create(held)


def _commit_batch() -> dict[uuid.UUID, Callable[[], None]]:
    """Messages waiting for this connection's next commit, by id, with their callbacks."""
    connection = transaction.get_connection()
    batch = getattr(connection, "_outbox_batch", None)
    if batch is None:
        batch = connection._outbox_batch = {}  # our own mark on the connection
    return cast("dict[uuid.UUID, Callable[[], None]]", batch)


def _flush(batch: dict[uuid.UUID, Callable[[], None]], own_id: uuid.UUID) -> None:
    # A callback still on the connection's list has not been released to run (a test that runs only some
    # of a transaction's callbacks): its message waits for its own callback, as it always did.
    waiting = {id(func) for _, func, _ in transaction.get_connection().run_on_commit}
    ids = [pk for pk, func in batch.items() if pk == own_id or id(func) not in waiting]
    for pk in ids:
        del batch[pk]
    if ids:
        dispatch_many(ids, from_request=True)


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


def dispatch(message_id: uuid.UUID, *, from_request: bool = False) -> bool:
    """Send one message to the broker (or run it, when tasks are eager). True when it went."""
    return dispatch_many([message_id], from_request=from_request) == 1


def dispatch_many(message_ids: list[uuid.UUID], *, from_request: bool = False) -> int:
    """Send these messages, in this order, in one transaction that holds their rows (so the drain cannot send
    one at the same time) and marks those that went in one UPDATE. Returns how many went. After the broker
    fails, the rest are left for the drain (each would wait for the same timeout)."""
    if from_request and not app.conf.task_always_eager and _broker_marked_down():
        return 0
    with transaction.atomic():
        found = {
            m.pk: m
            for m in OutboxMessage.objects.select_for_update().filter(pk__in=message_ids, dispatched_at__isnull=True)
        }
        sent = []
        for message in (found[pk] for pk in message_ids if pk in found):
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
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.save(update_fields=["attempts", "last_error"])
                if not app.conf.task_always_eager:
                    _mark_broker_down()
                    break
                continue
            sent.append(message.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(
                attempts=F("attempts") + 1, dispatched_at=timezone.now(), last_error=""
            )
    return len(sent)


def drain(*, limit: int = 500) -> int:
    """Send what is still pending, oldest first. Returns how many went."""
    sent = 0
    pending = list(
        OutboxMessage.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in pending:
        if dispatch(message_id):
            sent += 1
        elif not app.conf.task_always_eager:
            break  # the broker is still down; the next drain will try again
    return sent

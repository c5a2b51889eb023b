"""Files built in the background (a CP file, a SAR disclosure): the one way a slow PDF leaves the request.

The row that will hold the file is written in the request's transaction with its task enqueued through the outbox
(dispatched after commit: by a Celery worker, or in-process in the embedded mode), and the page shows it "being
prepared" until the task has stored the file through the storage API and marked it ready. A model takes part by
inheriting ``BackgroundBuild``; its app's task calls ``run``.

* A double click enqueues once: the app's service returns the row already queued or building (a conditional
  unique constraint on the pending rows holds it).
* The claim from queued to building is one conditional UPDATE, so two copies of the task never build twice.
* While a build runs a thread beats every little while; a worker killed mid-build stops beating, and after
  ``BACKGROUND_BUILD_STALE_MINUTES`` the build is stale: a redelivered task claims it again, and the page (or its
  poll) re-queues it once through ``reclaim_if_stale``.

Governor reports keep their own, older copy of this in ``reports.services`` (progress stages and an end-of-term
sweep of their own).
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

log = logging.getLogger(__name__)


class BuildState(models.TextChoices):
    QUEUED = "queued", "Being prepared"
    BUILDING = "building", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be built"


PENDING = (BuildState.QUEUED, BuildState.BUILDING)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "BACKGROUND_BUILD_STALE_MINUTES", 5))


def pending_q() -> Q:
    return Q(build_state__in=PENDING)


class BackgroundBuild(models.Model):
    build_state = models.CharField(max_length=8, choices=BuildState.choices, default=BuildState.QUEUED)
    requested_at = models.DateTimeField(null=True, blank=True)
    build_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    builds = models.PositiveSmallIntegerField(default=0)  # how many times a build was started
    stalled_at = models.DateTimeField(null=True, blank=True)  # when a build was last found stale
    build_error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_ready(self) -> bool:
        return self.build_state == BuildState.READY

    @property
    def is_pending(self) -> bool:
        return self.build_state in PENDING

    @property
    def is_stale(self) -> bool:
        if self.build_state != BuildState.BUILDING:
            return False
        last = self.heartbeat_at or self.build_started_at or self.requested_at
        return last is None or last < timezone.now() - stale_after()


M = TypeVar("M", bound=BackgroundBuild)


def _stale(model: type[M], pk: int) -> models.QuerySet[M]:
    return model._default_manager.filter(
        Q(heartbeat_at__lt=timezone.now() - stale_after()) | Q(heartbeat_at__isnull=True),
        pk=pk,
        build_state=BuildState.BUILDING,
    )


def claim(model: type[M], pk: int) -> bool:
    """Take a queued (or failed, or stale) build to building. True for exactly one caller."""
    now = timezone.now()
    started: dict[str, Any] = {
        "build_state": BuildState.BUILDING,
        "build_started_at": now,
        "heartbeat_at": now,
        "build_error": "",
        "builds": F("builds") + 1,
    }
    if model._default_manager.filter(pk=pk, build_state__in=[BuildState.QUEUED, BuildState.FAILED]).update(**started):
        return True
    if _stale(model, pk).update(**started, stalled_at=now):
        log.warning("%s %s: the build stopped; a redelivered task builds it again", model.__name__, pk)
        return True
    return False


@transaction.atomic
def reclaim_if_stale(obj: BackgroundBuild, *, task: str, **task_kwargs: Any) -> bool:
    """A build whose worker died is queued again and its task enqueued, once however many ask (the conditional
    UPDATE lets one caller through). Atomic, so a row is never left queued without the task that builds it."""
    from safeguarding_portal.outbox.services import enqueue

    reclaimed = _stale(type(obj), obj.pk).update(build_state=BuildState.QUEUED, stalled_at=timezone.now())
    if reclaimed:
        log.warning("%s %s: the build stopped; building it again", type(obj).__name__, obj.pk)
        enqueue(task, **task_kwargs)
        obj.refresh_from_db()
    return bool(reclaimed)


class Heartbeat:
    """Marks a build alive from a thread while a long step (laying out a PDF) runs; a dead worker stops it."""

    def __init__(self, model: type[BackgroundBuild], pk: int) -> None:
        self.model, self.pk = model, pk
        self.interval = max(stale_after().total_seconds() / 4, 1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"build-{model.__name__}-{pk}")

    def _run(self) -> None:
        beat = False
        try:
            while not self.stop.wait(self.interval):
                beat = True
                self.model._default_manager.filter(pk=self.pk, build_state=BuildState.BUILDING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed beat only risks an early rebuild, never a failed one
            log.warning("%s %s: heartbeat failed", self.model.__name__, self.pk, exc_info=True)
        finally:
            if beat:
                connection.close()  # this thread's own connection

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)


def run(model: type[M], pk: int, build: Callable[[M], None]) -> M:
    """The task's body: claim the row, build it with a heartbeat, and leave it ready (``build`` stores the file and
    sets ``build_state`` to READY in its own transaction) or failed with the error's type. Idempotent: a row that
    is ready, or being built by a live worker, is left alone."""
    if not claim(model, pk):
        return model._default_manager.get(pk=pk)
    obj = model._default_manager.get(pk=pk)
    try:
        with Heartbeat(model, pk):
            build(obj)
    except Exception as exc:
        log.exception("%s %s: the build failed", model.__name__, pk)
        model._default_manager.filter(pk=pk, build_state=BuildState.BUILDING).update(
            build_state=BuildState.FAILED, build_error=type(exc).__name__[:300]
        )
        raise
    return model._default_manager.get(pk=pk)

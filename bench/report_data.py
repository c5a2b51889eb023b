"""Shared helpers for the report and sweep benches."""

from __future__ import annotations

import contextlib
import datetime
import tempfile
from collections.abc import Iterator
from unittest import mock

from django.test.utils import override_settings
from django.utils import timezone

from incidents.models import Incident


def period_with(*, school_id: int, incidents: int) -> tuple[datetime.date, datetime.date]:
    """The period ending today that holds about ``incidents`` of the school's concerns (the bench data is
    spread over three years, denser recently)."""
    today = timezone.localdate()
    newest_first = Incident.objects.filter(school_id=school_id).order_by("-reported_at")
    nth = newest_first.values_list("reported_at", flat=True)[max(incidents - 1, 0) : incidents].first()
    start = timezone.localtime(nth).date() if nth else today - datetime.timedelta(days=90)
    return start, today


@contextlib.contextmanager
def scratch_media() -> Iterator[None]:
    """PDFs built by a bench go to a temporary folder, not the developer's media."""
    with tempfile.TemporaryDirectory(prefix="bench-media-") as folder, override_settings(MEDIA_ROOT=folder):
        yield


@contextlib.contextmanager
def outbox_kept() -> Iterator[None]:
    """Tasks a sweep enqueues stay in the outbox (as with the broker away) instead of running here: the
    bench measures the sweep, not the builds and emails workers do afterwards in parallel."""
    with mock.patch("safeguarding_portal.outbox.services.transaction.on_commit"):
        yield

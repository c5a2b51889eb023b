"""The daily training-expiry sweep across a trust of N schools (every school of the portal in one pass)."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.utils import timezone

from curriculum.reminders import training_due
from safeguarding_portal.reminders.models import Reminder

from . import runner
from .bench_training_matrix import add_training
from .generator import build_trust

NAME = "training_sweep"
DESCRIPTION = "curriculum.training sweep (reminders before expiry, overdue, weekly DSL item) over N schools"
DEFAULT_SCALE = 500  # schools
DEFAULT_REPEAT = 5


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    # 20 staff and 8 personas a school; 50 pupils each keeps the build short (the sweep never reads pupils).
    data = build_trust(
        schools=scale, pupils=50 * scale, guardians=False, label="training sweep", progress=runner.progress
    )
    made = add_training(data.school_ids())
    runner.progress(f"{NAME}: {made} training records added" if made else f"{NAME}: records reused")
    today = timezone.localdate()
    # The worst day: a Monday sends missing-training reminders and the DSL's weekly item too. The next one,
    # not the last, so everyone the generator gave a role today is in post.
    monday = today + datetime.timedelta(days=(7 - today.weekday()) % 7)

    def clear() -> None:
        Reminder.objects.filter(kind__startswith="curriculum.training", on=monday).delete()

    sent: list[int] = []

    def sweep() -> None:
        sent.append(training_due(today=monday))

    clear()
    queries = runner.count_queries(sweep)
    samples = []
    for _ in range(repeat):
        clear()  # untimed: each run records the day's reminders afresh, as the first run of a day does
        started = time.perf_counter()
        sweep()
        samples.append((time.perf_counter() - started) * 1000)
    timing = runner.Timing(tuple(samples))
    runner.progress(
        f"{NAME}: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, {queries} queries, "
        f"{sent[-1]} reminders a run"
    )
    return [
        runner.result(
            bench=NAME,
            scale=scale,
            timing=timing,
            queries=queries,
            reminders=sent[-1],
            build_s=data.build_s,
            reused=data.reused,
        )
    ]

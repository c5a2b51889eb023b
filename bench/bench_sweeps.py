"""The daily reminder sweeps (and the digest run) over a trust of N schools.

Each sweep is timed doing its full work: between runs, what it recorded (reminders, end-of-term reports,
digests) is removed. The urgent sweep's alerts are append-only records, so only its first run does work;
its later runs measure the idempotent re-run. Tasks the sweeps enqueue stay in the outbox, as workers run
them afterwards.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import connection

from incidents.models import CPFileTransfer
from safeguarding_portal.outbox.models import EmailDelivery, OutboxMessage
from safeguarding_portal.reminders import registry, services
from safeguarding_portal.reminders.models import Digest, Reminder
from safeguarding_portal.reports.models import GovernorReport
from safeguarding_portal.schools.models import Pupil, Term

from . import runner
from .incident_data import build_incidents
from .report_data import outbox_kept

NAME = "sweeps"
DESCRIPTION = "Each daily reminder sweep and the digest run over a trust of N schools (100 concerns each)"
DEFAULT_SCALE = 500  # schools
DEFAULT_REPEAT = 3
PER_SCHOOL = 100
TRANSFERS_PER_SCHOOL = 2


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _transfers(school_ids: list[int], persona) -> None:
    """Two CP files per school sent and not confirmed in time (the bench data has none)."""
    if CPFileTransfer.objects.filter(school_id__in=school_ids).exists():
        return
    pupils = {}
    for school_id, pupil_id in Pupil.objects.filter(school_id__in=school_ids).values_list("school_id", "pk"):
        pupils.setdefault(school_id, []).append(pupil_id)
    dsl_ids = {sid: persona("dsl", i).pk for i, sid in enumerate(school_ids)}
    sent = datetime.datetime(2026, 10, 1, 10, tzinfo=datetime.UTC)
    CPFileTransfer.objects.bulk_create(
        CPFileTransfer(
            school_id=sid,
            pupil_id=pupils[sid][n],
            produced_at=sent,
            produced_by_id=dsl_ids[sid],
            pdf=f"cp-files/{sid}/bench-{n}.pdf",
            sha256=hashlib.sha256(b"bench").hexdigest(),
            build_state="ready",  # sent, so built
            sent_at=sent,
            sent_by_id=dsl_ids[sid],
            method="secure_email",
            receiving_school="Bench",
            confirm_by=datetime.date(2026, 10, 8),
        )
        for sid in school_ids
        for n in range(TRANSFERS_PER_SCHOOL)
    )


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(schools=scale, incidents=scale * PER_SCHOOL, progress=runner.progress)
    school_ids = data.built.school_ids()
    _transfers(school_ids, data.persona)
    term = Term.objects.filter(school_id=school_ids[0]).order_by("starts_on").first()
    day = term.ends_on + datetime.timedelta(days=1)  # the end-of-term sweep has work to do
    lines = []

    def reset() -> None:
        Reminder.objects.filter(on=day).update(digest=None)
        EmailDelivery.objects.filter(digest__on=day).delete()
        Digest.objects.filter(on=day).delete()
        Reminder.objects.filter(on=day).delete()
        GovernorReport.objects.filter(school_id__in=school_ids, origin=GovernorReport.Origin.END_OF_TERM).delete()
        OutboxMessage.objects.filter(
            dispatched_at__isnull=True,
            task_name__in=["reports.build_governor_report", "reminders.deliver_digest", "outbox.deliver_emails"],
        ).delete()

    reset()
    with outbox_kept():
        kinds = [*sorted(registry.SWEEPS), "digests"]
        for kind in kinds:

            def once(kind: str = kind) -> int:
                if kind == "digests":
                    return services.send_digests(on=day)
                return services.run_sweep(kind, on=day)

            # Counted with a wrapper: Django's query log keeps only the last 9,000 queries.
            counter = _Counter()
            with connection.execute_wrapper(counter):
                done = once()
            queries = counter.n

            def again(kind: str = kind) -> None:
                if kind == "digests":
                    Digest.objects.filter(on=day).delete()  # reminders' digest links go with it (SET_NULL)
                elif kind != "incidents.urgent_unacknowledged":
                    Reminder.objects.filter(on=day, kind=kind).delete()
                    if kind == "reports.end_of_term":
                        GovernorReport.objects.filter(
                            school_id__in=school_ids, origin=GovernorReport.Origin.END_OF_TERM
                        ).delete()
                once(kind)

            timing = runner.time_calls(again, repeat=repeat, warmup=0)
            runner.progress(
                f"{NAME}: {kind}: {done} recorded, median {timing.median_ms:.0f} ms, "
                f"p95 {timing.p95_ms:.0f} ms, {queries} queries"
            )
            lines.append(
                runner.result(
                    bench=NAME,
                    scale=scale,
                    timing=timing,
                    queries=queries,
                    variant=kind,
                    recorded=done,
                    schools=scale,
                    on=day.isoformat(),
                    build_s=data.build_s,
                    reused=data.reused,
                )
            )
    reset()
    return lines

"""The monthly retention sweep (safeguarding_portal/retention/disposal.py) over a trust of N schools with 500
pupils each (500 schools: 250,000 pupils) and 100 cases per school, most of them closed; and, for the other kinds
with a disposal, per school: 10 pupils who left (each with a parent's signed agreement), a member of staff gone
with 5 training records, and 5 settled filtering changes, all due on the sweep's day.

The bench trust's pupils are of school age, so the sweep is run on the day the oldest fifth of them have passed
25 (some decades from now): a month with far more due than any real one (every case of those pupils at once),
and some schools holding part of their records (a hold per kind at 1 school in 50, a pupil hold at 1 in 10), so
the holds' subqueries do their work. Each school also has 20 triaged monitoring alerts and 20 audit events from
today (long past their 2 and 6 years by then) and 2 events of the retention trail itself, which are never listed,
so the other kinds' queries have rows to find. Between runs, the batches and items it listed are removed (the
audit events it appended stay: they are append-only, and of the retention trail, so never listed). The issue's
budget: under 60 s on PostgreSQL.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

from aup.models import Agreement, AgreementVersion, Audience, Signature, text_sha256
from curriculum.models import TrainingRecord, TrainingRequirement
from filtering.models import ChangeRequest, State
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.audit import chain
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch, DisposalItem, LegalHold, SweepRun
from safeguarding_portal.schools.models import Pupil

from . import runner
from .incident_data import build_incidents

NAME = "retention_sweep"
DESCRIPTION = "The monthly retention sweep (what is due for disposal, nothing held) over N schools of 500 pupils"
DEFAULT_SCALE = 500  # schools
DEFAULT_REPEAT = 3
PER_SCHOOL = 100  # cases
LEAVERS, TRAINING, CHANGES = 10, 5, 5  # per school, for the agreements, training and filtering kinds
LEAVER = "Benchleaver"  # their surname: left out of the pupils counted and of the sweep day's reckoning


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _holds(school_ids: list[int], persona) -> int:
    if LegalHold.objects.filter(school_id__in=school_ids, detail="Bench hold").exists():
        return LegalHold.objects.filter(school_id__in=school_ids, detail="Bench hold").count()
    now = timezone.now()
    holds = []
    for i, sid in enumerate(school_ids):
        by = persona("dsl", i)
        if i % 50 == 0:
            holds.append(
                LegalHold(
                    school_id=sid,
                    scope="kind",
                    kind="incidents.cp_records",
                    reason="inquiry",
                    detail="Bench hold",
                    placed_by=by,
                    placed_at=now,
                )
            )
        elif i % 10 == 0:
            pupil_id = (
                Pupil.objects.filter(school_id=sid).order_by("date_of_birth", "pk").values_list("pk", flat=True).first()
            )
            holds.append(
                LegalHold(
                    school_id=sid,
                    scope="pupil",
                    pupil_id=pupil_id,
                    reason="police",
                    detail="Bench hold",
                    placed_by=by,
                    placed_at=now,
                )
            )
    LegalHold.objects.bulk_create(holds)
    return len(holds)


ALERTS_PER_SCHOOL = 20
EVENTS_PER_SCHOOL = 20
BENCH_RULE = "Bench rule"


def _alerts_and_events(school_ids: list[int]) -> int:
    """Old alerts and audit events at every school, once (a reused database already has them)."""
    from monitoring.models import MonitoringAlert
    from safeguarding_portal.audit.chain import append_many
    from safeguarding_portal.audit.models import AuditEvent

    if MonitoringAlert.objects.filter(school_id__in=school_ids, rule=BENCH_RULE).exists():
        return MonitoringAlert.objects.filter(school_id__in=school_ids, rule=BENCH_RULE).count()
    now = timezone.now()
    MonitoringAlert.objects.bulk_create(
        [
            MonitoringAlert(
                school_id=sid,
                vendor="smoothwall",
                channel="webhook",
                rule=BENCH_RULE,
                reported_severity="low",
                severity="low",
                activity_at=now,
                received_at=now,
                captured_text="bench capture",
                state="closed",
                outcome="nfa",
                decided_at=now,
            )
            for sid in school_ids
            for _ in range(ALERTS_PER_SCHOOL)
        ],
        batch_size=5000,
    )
    events = [
        AuditEvent(at=now, school_id=sid, action="record.viewed", summary="Bench event", ip="192.0.2.1")
        for sid in school_ids
        for _ in range(EVENTS_PER_SCHOOL)
    ]
    events += [
        AuditEvent(at=now, school_id=sid, action="retention.period_changed", summary="Bench trail")
        for sid in school_ids
        for _ in range(2)
    ]
    append_many(events)
    return len(school_ids) * ALERTS_PER_SCHOOL


def _other_kinds(school_ids: list[int], persona, day: datetime.date) -> int:
    """Records of the other disposable kinds due on ``day`` (built once; a reused database has them)."""
    if Pupil.objects.filter(school_id__in=school_ids, surname=LEAVER).exists():
        return Signature.objects.filter(school_id__in=school_ids, pupil__surname=LEAVER).count()
    now = timezone.now()
    left_on = disposal.years_before(day, 7)
    made = timezone.make_aware(datetime.datetime.combine(disposal.years_before(day, 4), datetime.time(10)))
    text = "Bench parents' agreement"
    versions = {}
    for sid in school_ids:
        agreement, _ = Agreement.objects.get_or_create(
            school_id=sid, audience=Audience.PARENT, defaults={"title": "Parents' agreement"}
        )
        versions[sid] = AgreementVersion.objects.filter(agreement=agreement, published_at__isnull=False).first() or (
            AgreementVersion.objects.create(
                agreement=agreement, number=1, text=text, sha256=text_sha256(text), published_at=now
            )
        )
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(
                school_id=sid,
                upn=f"B{sid:06d}{n:05d}0",
                legal_forename="Left",
                surname=LEAVER,
                date_of_birth=datetime.date(2020, 1, 1),
                year_group="6",
                left_on=left_on,
            )
            for sid in school_ids
            for n in range(LEAVERS)
        ],
        batch_size=2000,
    )
    chain.append_many(
        [
            Signature(
                school_id=p.school_id,
                version=versions[p.school_id],
                audience=Audience.PARENT,
                version_sha256=versions[p.school_id].sha256,
                pupil_id=p.pk,
                signer_name="Bench Parent",
                signed_at=now,
                consents={"website": True},
                verification_code=f"BENCH{p.pk:019d}",
            )
            for p in pupils
        ]
    )
    for i, sid in enumerate(school_ids):
        gone = User.objects.create(email=f"bench.gone.{sid}@bench.example", full_name="Bench Gone")
        Membership.objects.create(
            user=gone, school_id=sid, role="staff", started_on=disposal.years_before(left_on, 5), ended_on=left_on
        )
        requirement = TrainingRequirement.objects.create(school_id=sid, name="Bench safeguarding", roles=["staff"])
        by = persona("dsl", i)
        TrainingRecord.objects.bulk_create(
            [
                TrainingRecord(
                    school_id=sid,
                    user=gone,
                    requirement=requirement,
                    course="Level 1",
                    provider="Bench",
                    completed_on=disposal.years_before(left_on, 1),
                    hours=3,
                    recorded_by=by,
                )
                for _ in range(TRAINING)
            ]
        )
        ChangeRequest.objects.bulk_create(
            [
                ChangeRequest(
                    school_id=sid,
                    number=90000 + n,
                    requested_by=by,
                    requested_at=made,
                    action="block",
                    target_kind="url",
                    target=f"https://bench.example/{n}",
                    scope="all_pupils",
                    reason="Bench",
                    state=State.REJECTED,
                )
                for n in range(CHANGES)
            ]
        )
    return len(pupils)


def _sweep_day(school_ids: list[int]) -> datetime.date:
    """The first of the month after the oldest fifth of the trust's pupils have all turned 25."""
    pupils = Pupil.objects.filter(school_id__in=school_ids).exclude(surname=LEAVER)
    fifth = pupils.order_by("date_of_birth").values_list("date_of_birth", flat=True)[pupils.count() // 5]
    due = disposal.years_after(fifth, 25)
    return (due.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(schools=scale, incidents=scale * PER_SCHOOL, progress=runner.progress)
    school_ids = data.built.school_ids()
    held = _holds(school_ids, data.persona)
    _alerts_and_events(school_ids)
    day = _sweep_day(school_ids)
    pupils = Pupil.objects.filter(school_id__in=school_ids).exclude(surname=LEAVER).count()
    agreements = _other_kinds(school_ids, data.persona, day)

    def reset() -> None:
        DisposalItem.objects.filter(batch__month=day, batch__school_id__in=school_ids).delete()
        DisposalBatch.objects.filter(month=day, school_id__in=school_ids).delete()
        SweepRun.objects.filter(month=day).delete()

    reset()
    counter = _Counter()
    with connection.execute_wrapper(counter):
        listed = disposal.sweep(today=day, force=True)
    batches = DisposalBatch.objects.filter(month=day, school_id__in=school_ids).count()
    by_kind = dict(
        DisposalItem.objects.filter(batch__month=day, batch__school_id__in=school_ids)
        .values_list("kind")
        .annotate(n=models.Count("pk"))
        .order_by("kind")
    )
    runner.progress(f"{NAME}: {listed:,} records listed in {batches} batches on {day}, {counter.n} queries")

    def again() -> None:
        reset()
        disposal.sweep(today=day, force=True)

    timing = runner.time_calls(again, repeat=repeat, warmup=0)
    runner.progress(f"{NAME}: median {timing.median_ms / 1000:.1f} s, p95 {timing.p95_ms / 1000:.1f} s")
    reset()
    return [
        runner.result(
            bench=NAME,
            scale=scale,
            timing=timing,
            queries=counter.n,
            schools=scale,
            pupils=pupils,
            listed=listed,
            batches=batches,
            holds=held,
            agreements=agreements,
            by_kind=by_kind,
            on=day.isoformat(),
            build_s=data.build_s,
            reused=data.reused,
        )
    ]

"""Monitoring alerts for the benches: a Smoothwall-style CSV export, and a school whose queue holds N alerts
(built once per database through ``alert_receive`` in batches, as an upload would, and reused)."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from monitoring import services
from monitoring.models import Channel, MonitoringAlert
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import Pupil, School, YearGroup

RULES = [
    "Bullying",
    "Self-harm",
    "Adult content",
    "Weapons",
    "Radicalisation",
    "Gambling",
    "Violence",
    "Grooming",
    "Drugs",
    "Hate speech",
    "Profanity",
    "Suicide",
]
LEVELS = ["1", "2", "2", "3", "3", "3", "4", "4", "5"]
SEVERITY_OF = {"1": "low", "2": "low", "3": "medium", "4": "high", "5": "critical"}
PUPILS = 600


def pupils_for(school: School, *, n: int = PUPILS, prefix: str = "bench") -> list[Pupil]:
    have = list(Pupil.objects.filter(school=school).order_by("pk"))
    if len(have) >= n:
        return have
    today = timezone.localdate()
    years = [y for y in YearGroup.values if y != YearGroup.RECEPTION][:6]
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                upn=f"B{school.pk % 1000:03d}{i:08d}"[:13],
                legal_forename=f"Pupil{i}",
                surname="Bench",
                date_of_birth=today.replace(year=today.year - 9),
                year_group=years[i % len(years)],
                network_username=f"{prefix}{i}",
                school_email=f"{prefix}{i}@pupils.bench.example",
            )
            for i in range(len(have), n)
        ],
        batch_size=2000,
    )
    return list(Pupil.objects.filter(school=school).order_by("pk"))


def build_csv(*, rows: int, seed: int = 0, prefix: str = "bench", pupils: int = PUPILS) -> bytes:
    """Smoothwall Monitor's export columns; one in 40 rows names a user the MIS does not know."""
    rng = random.Random(seed)
    now = timezone.localtime() - datetime.timedelta(minutes=5)
    lines = ["Incident ID,Date/Time,Risk Level,Category,Username,Email,Device,Captured Text"]
    for n in range(rows):
        at = now - datetime.timedelta(minutes=rows - n)
        user = f"{prefix}{rng.randrange(pupils)}" if n % 40 else f"guest{n % 97}"
        lines.append(
            f"SW-{seed}-{n},{at:%d/%m/%Y %H:%M:%S},{rng.choice(LEVELS)},{rng.choice(RULES)},{user},,"
            f"LAPTOP-{n % 300},words typed in a search box number {n}"
        )
    return ("\n".join(lines) + "\n").encode()


@dataclass
class QueueBuild:
    school: School
    dsl: User
    alerts: int
    build_s: float
    reused: bool


def build_queue(*, alerts: int, progress: Callable[[str], None] | None = None) -> QueueBuild:
    say = progress or (lambda message: None)
    name = f"Bench Monitoring School ({alerts} alerts)"
    email = f"bench.monitoring.dsl.{alerts}@bench.example"
    school = School.objects.filter(name=name).first()
    if school is not None:
        have = MonitoringAlert.objects.filter(school=school).count()
        if have == alerts:
            say(f"reusing {alerts:,} monitoring alerts")
            return QueueBuild(school, User.objects.get(email=email), alerts, 0.0, True)
        raise RuntimeError(f"{name} holds {have} alerts; drop the bench database and start again.")
    started = time.perf_counter()
    rng = random.Random(alerts)
    with transaction.atomic():
        school = School.objects.create(
            name=name,
            urn=f"7{alerts % 100000:05d}",
            local_authority="Benchmark",
            reference_prefix=f"BM{alerts % 1000:03d}",
        )
        dsl = User.objects.create_user(email, "bench-password-not-used", full_name="Bench DSL")
        Membership.objects.create(user=dsl, school=school, role=Role.DSL)
        pupils = pupils_for(school)
        # Far apart in time, so nothing folds: the queue holds exactly ``alerts`` alerts.
        start = timezone.now() - datetime.timedelta(minutes=120 * alerts)
        made = 0
        while made < alerts:
            batch = []
            for n in range(made, min(alerts, made + 5000)):
                level = rng.choice(LEVELS)
                batch.append(
                    services.IncomingAlert(
                        vendor=rng.choice(["smoothwall", "senso", "impero"]),
                        rule=rng.choice(RULES),
                        severity=SEVERITY_OF[level],
                        vendor_severity=level,
                        activity_at=start + datetime.timedelta(minutes=120 * n),
                        username=pupils[n % len(pupils)].network_username if n % 50 else f"unknown{n}",
                        device=f"PC-{n % 200}",
                        captured_text=f"captured text {n}",
                        external_id=f"Q-{n}",
                    )
                )
            services.alert_receive(school=school, incoming=batch, channel=Channel.CSV, page=False)
            made += len(batch)
            say(f"{made:,} of {alerts:,} alerts")
        # Most are long decided, as in a school's real queue; a few hundred stay open.
        decided = MonitoringAlert.objects.filter(school=school).order_by("pk")[: max(0, alerts - 300)]
        ids = list(decided.values_list("pk", flat=True))
        now = timezone.now()
        for i in range(0, len(ids), 5000):
            MonitoringAlert.objects.filter(pk__in=ids[i : i + 5000]).update(
                state="closed", outcome="nfa", decided_at=now, decided_by=dsl, picked_up_at=now, picked_up_by=dsl
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a real school's table
            cursor.execute("ANALYZE monitoring_monitoringalert")
    return QueueBuild(school, dsl, alerts, time.perf_counter() - started, False)

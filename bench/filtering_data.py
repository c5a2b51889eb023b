"""A school whose filtering log holds N events, built once per database and reused (the log is append-only).

Events are generated in Python with the same hashes ``audit.chain.append`` would give them (each event's
``compute_hash()`` over its own payload and the previous hash), written with ``bulk_create``, and the chain's
head is set to match, so ``chain.verify`` and ``manage.py verify_chains`` pass on the result.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from filtering.models import EventKind, FilterEvent
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.chain import GENESIS, ChainHead
from safeguarding_portal.schools.models import School

BATCH = 5000
KINDS = [
    EventKind.REQUESTED,
    EventKind.ASSESSED,
    EventKind.ASSESSED,
    EventKind.APPROVED,
    EventKind.APPLIED,
    EventKind.REVERTED,
    EventKind.CHECK,
]


@dataclass
class LogBuild:
    school: School
    head: User
    events: int
    build_s: float
    reused: bool


def _urn(events: int) -> str:
    return f"9{events % 100000:05d}"


def build_log(*, events: int, progress: Callable[[str], None] | None = None) -> LogBuild:
    say = progress or (lambda message: None)
    name = f"Bench Filtering School ({events} events)"
    school = School.objects.filter(name=name).first()
    head_email = f"bench.filtering.head.{events}@bench.example"
    if school is not None:
        head_row = ChainHead.objects.filter(model_label=FilterEvent._meta.label, chain=f"school:{school.pk}").first()
        if head_row is not None and head_row.seq == events:
            say(f"reusing {events:,} filtering events")
            return LogBuild(school, User.objects.get(email=head_email), events, 0.0, True)
        raise RuntimeError(f"{name} exists but its log is incomplete; drop the bench database and start again.")
    started = time.perf_counter()
    with transaction.atomic():
        school = School.objects.create(
            name=name, urn=_urn(events), local_authority="Benchmark", reference_prefix=f"BF{events % 1000:03d}"
        )
        head = User.objects.create_user(head_email, "bench-password-not-used", full_name="Bench Head")
        tech = User.objects.create_user(
            f"bench.filtering.tech.{events}@bench.example", "bench-password-not-used", full_name="Bench Technician"
        )
        Membership.objects.create(user=head, school=school, role=Role.HEADTEACHER)
        Membership.objects.create(user=tech, school=school, role=Role.TECHNICIAN)
        chain = f"school:{school.pk}"
        prev = GENESIS
        start = timezone.now() - datetime.timedelta(days=365)
        step = datetime.timedelta(days=365) / max(events, 1)
        batch: list[FilterEvent] = []
        for seq in range(1, events + 1):
            kind = KINDS[seq % len(KINDS)]
            actor = tech if kind in (EventKind.APPLIED, EventKind.REVERTED, EventKind.CHECK) else head
            number = seq // len(KINDS) + 1
            event = FilterEvent(
                school=school,
                change=None,
                change_reference=f"FC-{number:04d}",
                kind=kind,
                actor=actor,
                actor_name=actor.full_name,
                at=start + step * seq,
                summary=f"FC-{number:04d} {kind}: allow domain site{number}.example for all pupils",
                data={"reason": "Bench", "n": seq},
                chain=chain,
                seq=seq,
                prev_hash=prev,
            )
            event.hash = event.compute_hash()
            prev = event.hash
            batch.append(event)
            if len(batch) >= BATCH:
                FilterEvent.objects.bulk_create(batch)
                batch = []
                say(f"  {seq:,} events: {time.perf_counter() - started:.1f}s")
        FilterEvent.objects.bulk_create(batch)
        ChainHead.objects.create(model_label=FilterEvent._meta.label, chain=chain, seq=events, last_hash=prev)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{FilterEvent._meta.db_table}"')
    build_s = round(time.perf_counter() - started, 2)
    say(f"built {events:,} filtering events in {build_s:.1f}s")
    return LogBuild(school, head, events, build_s, False)

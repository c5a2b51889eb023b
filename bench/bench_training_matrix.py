"""The training matrix at a school of 150 staff: people x requirements, each with a history of records."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from curriculum import services
from curriculum.constants import TRAINED_ROLES
from curriculum.models import TrainingRecord, TrainingRequirement
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.schools.models import School

from . import runner
from .generator import build_trust

NAME = "training_matrix"
DESCRIPTION = "GET /curriculum/training/matrix/ (and its CSV) as the DSL at a school of N staff with their training"
DEFAULT_SCALE = 150  # people who work at the school (staff and governors)
DEFAULT_REPEAT = 30
PERSONAS_PER_SCHOOL = 8  # the generator's one person per school role, parents aside


def add_training(school_ids: list[int], *, seed: int = 2026) -> int:
    """Give everyone at these schools a realistic history: most current, some due, some expired, some missing.

    Skipped when the schools already have records (a reused bench trust). Returns the records created.
    """
    if TrainingRecord.objects.filter(school_id__in=school_ids).exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        for school in School.objects.filter(pk__in=school_ids):
            services.requirements_ensure_defaults(school=school)
        reqs: dict[int, list] = {}
        for req in TrainingRequirement.objects.filter(school_id__in=school_ids):
            reqs.setdefault(req.school_id, []).append(req)
        rows = []
        for school_id, user_id, role in (
            Membership.objects.filter(school_id__in=school_ids, role__in=TRAINED_ROLES)
            .values_list("school_id", "user_id", "role")
            .order_by("school_id", "user_id")
        ):
            for req in reqs[school_id]:
                if role not in req.roles or rng.random() < 0.06:  # a few never recorded: "missing"
                    continue
                # Up to three past records per requirement; the latest between 0 and 16 months ago.
                latest = today - datetime.timedelta(days=rng.randint(0, 490))
                for k in range(rng.randint(1, 3)):
                    rows.append(
                        TrainingRecord(
                            school_id=school_id,
                            user_id=user_id,
                            requirement=req,
                            course=req.name[:200],
                            provider="Local authority",
                            completed_on=latest - datetime.timedelta(days=365 * k),
                            hours=Decimal("1.5"),
                            recorded_by_id=user_id,
                        )
                    )
        TrainingRecord.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    staff = max(1, scale - PERSONAS_PER_SCHOOL)
    data = build_trust(
        schools=1, pupils=300, staff_per_school=staff, label=f"training {scale}", progress=runner.progress
    )
    school_id = data.school_ids()[0]
    records = add_training([school_id])
    runner.progress(f"{NAME}: {records} training records added" if records else f"{NAME}: records reused")
    client = runner.signed_in_client(data.persona("dsl", 0))
    lines = []
    for variant, url in (
        ("matrix", reverse("curriculum:matrix")),
        ("csv", reverse("curriculum:matrix_csv")),
        ("state=expired", reverse("curriculum:matrix") + "?state=expired"),
    ):

        def get(url: str = url) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        get()
        queries = runner.count_queries(get)
        timing = runner.time_calls(get, repeat=repeat)
        runner.progress(
            f"{NAME}: {variant}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, {queries} queries"
        )
        lines.append(
            runner.result(
                bench=NAME,
                scale=scale,
                timing=timing,
                queries=queries,
                variant=variant,
                path=url,
                build_s=data.build_s,
                reused=data.reused,
            )
        )
    return lines

"""The coverage heatmap at a school of 2,000 pupils with a year of logged lessons and open gaps."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from curriculum.constants import Strand
from curriculum.models import Gap, Lesson, LessonStrand
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.schools.calendar import academic_year_of
from safeguarding_portal.schools.models import Pupil, Term

from . import runner
from .generator import build_trust

NAME = "curriculum_heatmap"
DESCRIPTION = "GET /curriculum/coverage/ as the online safety lead at a school of N pupils with a year of lessons"
DEFAULT_SCALE = 2000  # pupils at the school
DEFAULT_REPEAT = 30
LESSONS_PER_YEAR_GROUP = 60  # a lesson a week or more per year group over the year so far


def add_lessons(school_id: int, *, seed: int = 2026) -> int:
    if Lesson.objects.filter(school_id=school_id).exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    start = datetime.date(academic_year_of(today), 9, 1)
    days = max(1, (today - start).days)
    teachers = list(Membership.objects.filter(school_id=school_id).values_list("user_id", flat=True))
    years = sorted(set(Pupil.objects.filter(school_id=school_id).values_list("year_group", flat=True)))
    with transaction.atomic():
        lessons = Lesson.objects.bulk_create(
            [
                Lesson(
                    school_id=school_id,
                    taught_by_id=rng.choice(teachers),
                    year_group=yg,
                    taught_on=start + datetime.timedelta(days=rng.randrange(days)),
                    class_name=f"{yg}A",
                )
                for yg in years
                for _ in range(LESSONS_PER_YEAR_GROUP)
            ],
            batch_size=2000,
        )
        links = []
        for lesson in lessons:
            for strand in rng.sample(Strand.values[:6], k=rng.randint(1, 2)):  # two strands never taught
                links.append(
                    LessonStrand(
                        lesson_id=lesson.pk,
                        school_id=school_id,
                        year_group=lesson.year_group,
                        taught_on=lesson.taught_on,
                        strand=strand,
                    )
                )
        LessonStrand.objects.bulk_create(links, batch_size=5000)
        term = Term.objects.filter(school_id=school_id, starts_on__lte=today).order_by("-starts_on").first()
        if term is not None:
            Gap.objects.bulk_create(
                [
                    Gap(
                        school_id=school_id,
                        term=term,
                        year_group=yg,
                        strand=Strand.COPYRIGHT,
                        category="copyright",
                        incident_count=4,
                        threshold=3,
                        raised_on=today,
                    )
                    for yg in years[:3]
                ],
                ignore_conflicts=True,
            )
    return len(lessons)


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_trust(schools=1, pupils=scale, guardians=False, label="heatmap", progress=runner.progress)
    school_id = data.school_ids()[0]
    made = add_lessons(school_id)
    runner.progress(f"{NAME}: {made} lessons added" if made else f"{NAME}: lessons reused")
    client = runner.signed_in_client(data.persona("online_safety_lead", 0))
    url = reverse("curriculum:heatmap")

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")

    get()
    queries = runner.count_queries(get)
    timing = runner.time_calls(get, repeat=repeat)
    runner.progress(f"{NAME}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, {queries} queries")
    return [
        runner.result(
            bench=NAME, scale=scale, timing=timing, queries=queries, path=url, build_s=data.build_s, reused=data.reused
        )
    ]

"""The trust dashboard at scale: 500 schools sharing N incidents (1,000,000 by default).

Measures, on the data set ``incident_data.build_incidents`` builds (the incidents really exist):

* ``refresh_one``: recounting one school's figures, as the task queued on commit of a change does;
* ``sweep``: the nightly recount of every school (timed once);
* ``dashboard``: the trust lead's page (schools:trust_overview), one stored row per school (target < 150 ms,
  queries flat in the number of schools);
* ``trust_pdf_50``: the trust report PDF for a trust of 50 schools (target < 20 s).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.reports import school_figures
from safeguarding_portal.reports import trust as trust_report

from . import runner
from .bench_dashboard import measure
from .incident_data import build_incidents

NAME = "trust_dashboard"
DESCRIPTION = "The trust dashboard for 500 schools sharing N incidents (refresh, sweep, page) and the trust PDF for 50"
DEFAULT_SCALE = 1_000_000  # incidents over the whole trust
DEFAULT_REPEAT = 30
SCHOOLS = 500
REPORT_SCHOOLS = 50
REPORT_PER_SCHOOL = 1_000


def _timed_once(fn) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(captured)


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    schools = SCHOOLS if scale >= 100_000 else max(2, min(SCHOOLS, scale // 100))
    data = build_incidents(schools=schools, incidents=scale, progress=runner.progress)
    trust = data.school().trust
    ids = list(trust.schools.values_list("pk", flat=True))
    common = {"schools": data.schools, "incidents": data.incidents, "build_s": data.build_s, "reused": data.reused}
    lines = []

    sweep_ms, sweep_queries = _timed_once(lambda: school_figures.refresh(school_ids=ids))
    runner.progress(f"{NAME}: sweep of {len(ids)} schools: {sweep_ms / 1000:.1f} s, {sweep_queries} queries")
    lines.append(
        runner.result(
            bench=NAME, scale=scale, timing=runner.Timing((sweep_ms,)), queries=sweep_queries, variant="sweep", **common
        )
    )

    one = data.school().pk

    def refresh_one() -> None:
        school_figures.refresh_one(school_id=one)

    queries = runner.count_queries(refresh_one)
    timing = runner.time_calls(refresh_one, repeat=max(1, min(repeat, 10)))
    runner.progress(
        f"{NAME}: refresh_one: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, {queries} queries"
    )
    lines.append(
        runner.result(bench=NAME, scale=scale, timing=timing, queries=queries, variant="refresh_one", **common)
    )

    lines += measure(
        bench=NAME,
        scale=scale,
        repeat=repeat,
        data=data,
        role="trust_lead",
        pages=[
            ("dashboard", reverse("schools:trust_overview")),
            ("dashboard_by_name", reverse("schools:trust_overview") + "?sort=name"),
        ],
    )

    report_schools = REPORT_SCHOOLS if scale >= 100_000 else 2
    small = build_incidents(
        schools=report_schools, incidents=report_schools * REPORT_PER_SCHOOL, progress=runner.progress
    )
    small_trust = small.school().trust
    end = timezone.localdate()
    start = end - datetime.timedelta(days=90)

    def pdf() -> None:
        # A fresh period each time would be recounted; the report's own build is what is measured, figures
        # counted first as the dashboard would have them.
        trust_report.trust_pdf(trust=small_trust, start=start, end=end)

    first_ms, _ = _timed_once(pdf)  # counts the period's figures for the 50 schools, then builds
    queries = runner.count_queries(pdf)
    timing = runner.time_calls(pdf, repeat=max(1, min(repeat, 3)))
    runner.progress(
        f"{NAME}: trust_pdf for {report_schools} schools: first {first_ms / 1000:.1f} s, then median "
        f"{timing.median_ms / 1000:.1f} s, {queries} queries"
    )
    lines.append(
        runner.result(
            bench=NAME,
            scale=scale,
            timing=timing,
            queries=queries,
            variant="trust_pdf_50",
            first_ms=round(first_ms),
            schools=small.schools,
            incidents=small.incidents,
            build_s=small.build_s,
            reused=small.reused,
        )
    )
    return lines

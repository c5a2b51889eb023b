"""The trust report: N schools side by side (page figures and PDF) for the trust safeguarding lead."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding_portal.reports import trust as trust_report

from . import runner
from .incident_data import build_incidents

NAME = "trust_report"
DESCRIPTION = "The trust report for N schools (figures and PDF), 1,000 concerns per school over three years"
DEFAULT_SCALE = 50  # schools
DEFAULT_REPEAT = 5
PER_SCHOOL = 1_000


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(schools=scale, incidents=scale * PER_SCHOOL, progress=runner.progress)
    trust = data.school().trust
    end = timezone.localdate()
    start = end - datetime.timedelta(days=90)
    lines = []
    variants = (
        ("figures", lambda: trust_report.trust_table(trust=trust, start=start, end=end)),
        ("pdf", lambda: trust_report.trust_pdf(trust=trust, start=start, end=end)),
    )
    for variant, fn in variants:
        with CaptureQueriesContext(connection) as captured:
            fn()
        timing = runner.time_calls(fn, repeat=repeat)
        runner.progress(
            f"{NAME}: {variant}: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, {len(captured)} queries"
        )
        lines.append(
            runner.result(
                bench=NAME,
                scale=scale,
                timing=timing,
                queries=len(captured),
                variant=variant,
                schools=scale,
                incidents=data.incidents,
                build_s=data.build_s,
                reused=data.reused,
            )
        )
    return lines

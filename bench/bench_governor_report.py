"""The termly governor report for one large school: N concerns in the period, 2,000 pupils, built to a PDF."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from safeguarding_portal.reports import builder, services
from safeguarding_portal.reports.models import GovernorReport

from . import runner
from .incident_data import build_incidents
from .report_data import period_with, scratch_media

NAME = "governor_report"
DESCRIPTION = (
    "Build the governor report PDF (figures, charts, WeasyPrint) for a school of 2,000 pupils with N "
    "concerns in the period"
)
DEFAULT_SCALE = 5_000  # concerns in the period
DEFAULT_REPEAT = 5
PUPILS = 2_000
# The bench data spreads a school's concerns over three years, denser recently: about 1 in 5.3 falls in the
# last term, so this many in total puts ``scale`` in a term-long period.
TOTAL_PER_PERIOD = 5.5


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(
        schools=1, incidents=max(int(scale * TOTAL_PER_PERIOD), 10), pupils_per_school=PUPILS, progress=runner.progress
    )
    school = data.school()
    start, end = period_with(school_id=school.pk, incidents=scale)
    in_period = Incident.objects.filter(school=school, reported_at__date__gte=start).count()
    lines = []
    with scratch_media():

        def build() -> None:
            report = GovernorReport.objects.create(school=school, starts_on=start, ends_on=end, title="Bench")
            built = services.build(report_id=report.pk)
            if built.state != GovernorReport.State.READY:
                raise RuntimeError(f"report {report.pk} is {built.state}")

        def figures() -> None:
            builder.context(school=school, start=start, end=end)

        for variant, fn in (("figures", figures), ("pdf", build)):
            with CaptureQueriesContext(connection) as captured:
                fn()
            timing = runner.time_calls(fn, repeat=repeat)
            runner.progress(
                f"{NAME}: {variant}: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, "
                f"{len(captured)} queries, {in_period} concerns in {start}..{end}"
            )
            lines.append(
                runner.result(
                    bench=NAME,
                    scale=scale,
                    timing=timing,
                    queries=len(captured),
                    variant=variant,
                    incidents_in_period=in_period,
                    period=f"{start}..{end}",
                    pupils=PUPILS,
                    build_s=data.build_s,
                    reused=data.reused,
                )
            )
    GovernorReport.objects.filter(school=school, title="Bench").delete()
    return lines

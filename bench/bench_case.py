"""A case page with a typical timeline, as the DSL, at a school with many cases."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from . import runner
from .bench_dashboard import measure
from .incident_data import build_incidents, typical_cases

NAME = "case"
DESCRIPTION = "GET /incidents/case/<ref>/ as the DSL for typical in-progress, closed and awaiting-agency cases"
DEFAULT_SCALE = 20_000  # incidents, all at one school
DEFAULT_REPEAT = 30


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(schools=1, incidents=scale, progress=runner.progress)
    lines = []
    for incident in typical_cases(data.school()):
        lines += measure(
            bench=NAME,
            scale=scale,
            repeat=repeat,
            data=data,
            status=incident.status,
            entries=incident.entries.count(),
            steps=incident.steps.count(),
            pages=[(incident.status, reverse("incidents:case", args=[incident.reference]))],
        )
    return lines

"""A trust of 500 schools and N incidents: one school's DSL dashboard (other schools' cases must not slow it)
and the trust lead's overview."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from . import runner
from .bench_dashboard import measure, variants
from .incident_data import build_incidents

NAME = "dashboard_trust"
DESCRIPTION = "One school's DSL dashboard and the trust overview in a trust of 500 schools sharing N incidents"
DEFAULT_SCALE = 1_000_000  # incidents over the whole trust
DEFAULT_REPEAT = 30
SCHOOLS = 500


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    # Small scales (tests) keep a few schools, so a neighbour's cases are still there to be kept out.
    schools = SCHOOLS if scale >= 100_000 else max(2, min(SCHOOLS, scale // 100))
    data = build_incidents(schools=schools, incidents=scale, progress=runner.progress)
    lines = measure(bench=NAME, scale=scale, repeat=repeat, data=data, pages=variants(data))
    lines += measure(
        bench=NAME,
        scale=scale,
        repeat=repeat,
        data=data,
        role="trust_lead",
        pages=[("trust_overview", reverse("schools:trust_overview"))],
    )
    return lines

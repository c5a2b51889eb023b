"""The DSL's incident dashboard at a school with many cases: the page, three queue and filter variants."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse

from . import runner
from .incident_data import IncidentBuild, build_incidents, busiest_surname

NAME = "dashboard"
DESCRIPTION = "GET /incidents/dashboard/ as the DSL at one school with N incidents (plus queue, category, search)"
DEFAULT_SCALE = 20_000  # incidents, all at one school
DEFAULT_REPEAT = 30
AFTER_A_CHANGE = ", after a change"


def variants(data: IncidentBuild, school_index: int | None = None) -> list[tuple[str, str]]:
    """(name, URL) for the dashboard and the filters a DSL uses most."""
    url = reverse("incidents:dashboard")
    surname = busiest_surname(data.school(school_index))
    return [
        ("dashboard", url),
        (f"dashboard{AFTER_A_CHANGE}", url),
        ("queue=unacknowledged", f"{url}?{urlencode({'queue': 'unacknowledged'})}"),
        ("category=cyberbullying", f"{url}?{urlencode({'category': 'cyberbullying'})}"),
        ("q=surname", f"{url}?{urlencode({'q': surname})}"),
    ]


def measure(
    *,
    bench: str,
    scale: int,
    repeat: int,
    data: IncidentBuild,
    pages: list[tuple[str, str]],
    role: str = "dsl",
    school_index: int | None = None,
    **extra: Any,
) -> list[dict[str, Any]]:
    client = runner.signed_in_client(data.persona(role, school_index))
    lines = []
    for variant, url in pages:
        # "after a change": the cached counts dropped before each request, as any change to a case does (the
        # cache key carries the school's timeline version), so the page recomputes them every time.
        recompute = variant.endswith(AFTER_A_CHANGE)

        def get(url: str = url, recompute: bool = recompute) -> None:
            if recompute:
                cache.clear()
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        get()  # the first request may create the session's and audit chain's rows; count the steady state
        queries = runner.count_queries(get)
        timing = runner.time_calls(get, repeat=repeat)
        runner.progress(
            f"{bench}: {variant}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, {queries} queries"
        )
        lines.append(
            runner.result(
                bench=bench,
                scale=scale,
                timing=timing,
                queries=queries,
                variant=variant,
                path=url,
                role=role,
                schools=data.schools,
                incidents=data.incidents,
                build_s=data.build_s,
                reused=data.reused,
                **extra,
            )
        )
    return lines


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(schools=1, incidents=scale, progress=runner.progress)
    return measure(bench=NAME, scale=scale, repeat=repeat, data=data, pages=variants(data))

"""Verifying a school's whole filtering log (N events): what ``manage.py verify_chains --model
filtering.FilterEvent --school URN`` does."""

from __future__ import annotations

from typing import Any

from filtering.models import FilterEvent
from safeguarding_portal.audit import chain

from . import runner
from .filtering_data import build_log

NAME = "filtering_verify"
DESCRIPTION = "verify_chains --model filtering.FilterEvent over one school's filtering log of N events"
DEFAULT_SCALE = 100_000
DEFAULT_REPEAT = 3  # each run reads and hashes the whole log


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    data = build_log(events=scale, progress=runner.progress)
    chains = [f"school:{data.school.pk}"]

    def verify() -> None:
        breaks = chain.verify(FilterEvent, chains=chains)
        if breaks:
            raise RuntimeError(f"the bench log is broken: {breaks[0]}")

    queries = runner.count_queries(verify)
    timing = runner.time_calls(verify, repeat=min(repeat, 5), warmup=0)
    runner.progress(f"{NAME}: median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, {queries} queries")
    return runner.result(
        bench=NAME, scale=scale, timing=timing, queries=queries, build_s=data.build_s, reused=data.reused
    )

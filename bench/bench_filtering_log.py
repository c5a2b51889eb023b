"""The filtering log page at a school with N events: the newest page, and a page in the middle of the log."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from . import runner
from .filtering_data import build_log

NAME = "filtering_log"
DESCRIPTION = "GET /filtering/log/ as the headteacher at a school whose filtering log holds N events"
DEFAULT_SCALE = 100_000
DEFAULT_REPEAT = 30


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_log(events=scale, progress=runner.progress)
    client = runner.signed_in_client(data.head)
    url = reverse("filtering:log")
    lines = []
    for variant, path in (("newest", url), ("middle", f"{url}?before={max(scale // 2, 1)}")):

        def get(path: str = path) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")

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
                path=path,
                build_s=data.build_s,
                reused=data.reused,
            )
        )
    return lines

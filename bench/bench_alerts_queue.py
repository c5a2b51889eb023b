"""The DSL team's monitoring queue at a school holding N alerts: the open queue, critical only, one pupil, and
an older page (keyset). The query count must not grow with N."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from monitoring.models import MonitoringAlert

from . import runner
from .monitoring_data import build_queue

NAME = "alerts_queue"
DESCRIPTION = "GET /monitoring/queue/ as the DSL at a school whose monitoring queue holds N alerts"
DEFAULT_SCALE = 100_000
DEFAULT_REPEAT = 30
TARGET_MS = 30.0


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_queue(alerts=scale, progress=runner.progress)
    client = runner.signed_in_client(data.dsl)
    url = reverse("monitoring:queue")
    alerts = MonitoringAlert.objects.filter(school=data.school)
    middle = alerts.order_by("pk").values_list("pk", flat=True)[scale // 2]
    pupil = alerts.filter(pupil__isnull=False).values_list("pupil_id", flat=True).first()
    lines = []
    for variant, path in (
        ("open", url),
        ("critical", f"{url}?state=all&severity=critical"),
        ("pupil", f"{url}?state=all&pupil={pupil}"),
        ("older", f"{url}?state=all&before={middle}"),
    ):

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
                build_s=round(data.build_s, 1),
                reused=data.reused,
                target_ms=TARGET_MS,
            )
        )
    return lines

"""Importing a monitoring product's CSV export of N alerts: read, check every row, match pupils, fold repeats,
insert alerts and their chained events, page about critical ones.

Runs inside a transaction that is rolled back (alerts are append-only), so the final commit is not timed.
"""

from __future__ import annotations

import random
import string
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from monitoring import csvimport
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import School

from . import runner
from .monitoring_data import build_csv, pupils_for

NAME = "alerts_import"
DESCRIPTION = "Monitoring CSV export of N alerts (Smoothwall columns): check, match, fold, insert, page"
DEFAULT_SCALE = 10_000
DEFAULT_REPEAT = 3
TARGET_S = 10.0


class _RollBack(Exception):
    pass


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    timings: list[float] = []
    queries: list[int] = []
    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            token = "".join(random.SystemRandom().choice(string.ascii_uppercase) for _ in range(5))
            school = School.objects.create(
                name=f"Bench Alerts School {token}",
                urn=f"6{random.randint(0, 99999):05d}",
                local_authority="Benchmark",
                reference_prefix=f"A{token}",
            )
            dsl = User.objects.create_user(f"bench.alerts.{token}@bench.example".lower(), "x", full_name="Bench DSL")
            Membership.objects.create(user=dsl, school=school, role=Role.DSL)
            pupils_for(school, prefix=f"u{token.lower()}")
            data = build_csv(rows=scale, prefix=f"u{token.lower()}")
            runner.progress(f"{NAME}: {len(data) / 1024 / 1024:.1f} MB, {scale:,} rows")
            for _ in range(max(1, repeat)):
                with transaction.atomic():
                    connection.queries_log.clear()
                    with CaptureQueriesContext(connection) as captured:
                        timing = runner.time_calls(
                            lambda: outcome.__setitem__(
                                "result",
                                csvimport.import_alerts(
                                    school=school, by=dsl, vendor="smoothwall", data=data, filename="bench.csv"
                                ),
                            ),
                            repeat=1,
                            warmup=0,
                        )
                    timings.extend(timing.samples_ms)
                    queries.append(len(captured))
                    result = outcome["result"]
                    if not result.ok:
                        raise RuntimeError(f"bench file was rejected: {result.errors[:3]}")
                    outcome["run"] = (result.run.created, result.run.folded, result.run.duplicates)
                    transaction.set_rollback(True)
            raise _RollBack
    except _RollBack:
        pass
    created, folded, duplicates = outcome["run"]
    line = runner.result(
        bench=NAME,
        scale=scale,
        timing=runner.Timing(tuple(timings)),
        queries=queries[0],
        rows=scale,
        file_bytes=len(data),
        created=created,
        folded=folded,
        duplicates=duplicates,
        target_s=TARGET_S,
        within_target=max(timings) / 1000 < TARGET_S,
    )
    runner.progress(
        f"{NAME}: median {line['median_ms']:.0f} ms, {line['queries']} queries, {created} alerts, {folded} folded"
    )
    return line

"""Importing the filter vendor's audit log: N rows, matched against a year of approved requests.

Everything runs inside a transaction that is rolled back, so the throwaway school leaves nothing behind (the
filtering log is append-only); the final commit is therefore not in the timings.
"""

from __future__ import annotations

import datetime
import random
import string
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from filtering import services, vendor
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import School

from . import runner

NAME = "vendor_import"
DESCRIPTION = "Vendor filtering-log CSV of N rows: read, check every row, match to approved requests, bulk insert"
DEFAULT_SCALE = 50_000
DEFAULT_REPEAT = 3
MAX_REQUESTS = 200  # approved requests the rows are matched against (fewer at small scales)


class _RollBack(Exception):
    pass


def build_csv(*, rows: int, targets: list[str], seed: int = 0) -> bytes:
    rng = random.Random(seed)
    now = timezone.localtime()
    lines = ["Date/Time,Administrator,Event,Object,Change Ref"]
    for n in range(rows):
        at = now - datetime.timedelta(minutes=rows - n)
        if n % 5 == 0:
            event, target = "Sign in", "Admin console"
        else:
            event = rng.choice(["Allow domain", "Block url", "Remove allow rule", "Unblock site"])
            target = rng.choice(targets) if n % 3 else f"https://unknown{n}.example/path"
        lines.append(f"{at:%d/%m/%Y %H:%M:%S},admin{n % 7},{event},{target},LS-{n}")
    return ("\n".join(lines) + "\n").encode()


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    timings: list[float] = []
    queries: list[int] = []
    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            token = "".join(random.SystemRandom().choice(string.ascii_uppercase) for _ in range(5))
            school = School.objects.create(
                name=f"Bench Vendor School {token}",
                urn=f"8{random.randint(0, 99999):05d}",
                local_authority="Benchmark",
                reference_prefix=f"V{token}",
            )
            people = {}
            for role in (Role.STAFF, Role.HEADTEACHER, Role.TECHNICIAN):
                people[role] = User.objects.create_user(
                    f"bench.{role}.{token}@bench.example".lower(), "x", full_name=f"Bench {role}"
                )
                Membership.objects.create(user=people[role], school=school, role=role)
            targets = []
            with services.backdated(timezone.now() - datetime.timedelta(days=200)):
                for i in range(min(MAX_REQUESTS, max(10, scale // 250))):
                    target = f"https://www.site{i}.example/"
                    change = services.change_request(
                        school=school,
                        requester=people[Role.STAFF],
                        action="block",
                        target_kind="url",
                        target=target,
                        scope="all_pupils",
                        reason="Bench",
                    )
                    services.assess(
                        change=change, by=people[Role.TECHNICIAN], view="technical", rating="low", assessment="Bench"
                    )
                    services.assess(
                        change=change, by=people[Role.HEADTEACHER], view="educational", rating="low", assessment="Bench"
                    )
                    services.approve(change=change, by=people[Role.HEADTEACHER], reason="Bench")
                    targets.append(f"site{i}.example")
            data = build_csv(rows=scale, targets=targets)
            runner.progress(f"{NAME}: {len(data) / 1024 / 1024:.1f} MB, {scale:,} rows")
            for _ in range(max(1, repeat)):
                with transaction.atomic():
                    # Setting up made thousands of queries: a full query log (9,000) would hide the import's own.
                    connection.queries_log.clear()
                    with CaptureQueriesContext(connection) as captured:
                        timing = runner.time_calls(
                            lambda: outcome.__setitem__(
                                "result",
                                vendor.import_vendor_log(
                                    school=school,
                                    by=people[Role.TECHNICIAN],
                                    data=data,
                                    filename="bench.csv",
                                    mapping=vendor.Mapping(),
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
                    outcome["unexplained"] = result.unexplained
                    transaction.set_rollback(True)
            raise _RollBack
    except _RollBack:
        pass
    line = runner.result(
        bench=NAME,
        scale=scale,
        timing=runner.Timing(tuple(timings)),
        queries=queries[0],
        rows=scale,
        file_bytes=len(data),
        unexplained=outcome.get("unexplained"),
    )
    runner.progress(f"{NAME}: median {line['median_ms']:.0f} ms, {line['queries']} queries")
    return line

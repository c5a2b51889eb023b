"""Benchmark: importing a whole school's pupils and their contacts from an MIS CSV.

The first import creates every pupil, parent and link; the later ones are the idempotent re-imports a school
does each week. Everything runs inside a transaction that is rolled back at the end, so the throwaway school
leaves nothing behind (the audit log is append-only, so it could not be deleted afterwards); the final commit
is therefore not in the timings.

Run on its own:  .venv/bin/python bench/bench_mis_import.py --scale 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

import django
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import runner
from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import School

NAME = "mis_import"
DESCRIPTION = "MIS CSV import of N pupils (about 1.75 contact rows each): first import, then idempotent re-imports"
DEFAULT_SCALE = 2000

_FORENAMES = ["Oliver", "Amara", "Mia", "Noah", "Isla", "Leo", "Ava", "Arjun", "Zoë", "Freya", "Kai", "Ruby"]
_SURNAMES = ["Smith", "Okafor", "Patel", "Jones", "Nowak", "O\u2019Brien", "Khan", "Williams", "Taylor", "Evans"]
_PARENTS = ["Jane", "David", "Grace", "Sam", "Priya", "Tom", "Anna", "Chris", "Fatima", "Mark"]


def _ensure_django() -> None:
    if apps.ready:
        return
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding_portal.settings")

    django.setup()


def build_csv(*, pupils: int, today: datetime.date, seed: int = 0) -> bytes:
    """A one-row-per-pupil-and-contact file, as SIMS exports it. Every tenth pupil is a younger sibling of the
    one before and shares their first contact; a quarter have one contact only; some contacts have no email."""
    rng = random.Random(seed)
    lines = [
        "UPN,Legal Forename,Preferred Forename,Surname,DOB,Year,Reg Group,"
        "Contact Name,Contact Email,Relationship,Priority,Contact Phone"
    ]
    previous_contact = None
    for n in range(pupils):
        upn = f"B{n:011d}{n % 10}"
        year = rng.randint(0, 11)
        dob = today.replace(year=today.year - 5 - year, month=rng.randint(1, 12), day=rng.randint(1, 28))
        year_label = "R" if year == 0 else str(year)
        surname = rng.choice(_SURNAMES)
        pupil = f"{upn},{rng.choice(_FORENAMES)},,{surname},{dob:%d/%m/%Y},{year_label},{year_label}{rng.choice('ABC')}"
        if previous_contact and n % 10 == 9:
            first = previous_contact
        else:
            first = (f"{rng.choice(_PARENTS)} {surname}", f"parent{n}a@home.example", "Mother")
        previous_contact = first
        lines.append(f"{pupil},{first[0]},{first[1]},{first[2]},1,07700 9{n:05d}")
        if n % 4:
            email = f"parent{n}b@home.example" if n % 7 else ""
            lines.append(f"{pupil},{rng.choice(_PARENTS)} {surname}-{n},{email},Father,2,")
    return ("\n".join(lines) + "\n").encode("utf-8")


class _RollBack(Exception):
    pass


def run(*, scale: int, repeat: int) -> dict:
    _ensure_django()

    repeat = max(1, repeat)
    today = timezone.localdate()
    data = build_csv(pupils=scale, today=today)
    rows = data.count(b"\n") - 1
    timings: list[float] = []
    queries: list[int] = []
    outcome: dict = {}
    try:
        with transaction.atomic():
            rng = random.SystemRandom()
            token = "".join(rng.choice(string.ascii_uppercase) for _ in range(5))
            urn = next(
                u
                for u in (f"{rng.randint(0, 999999):06d}" for _ in range(1000))
                if not School.objects.filter(urn=u).exists()
            )
            school = School.objects.create(
                name=f"Bench MIS School {token}", urn=urn, local_authority="Benchmark", reference_prefix=f"B{token}"
            )
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    run_record = import_people(school=school, kind="pupils", data=data, filename="bench.csv")
                    timings.append((time.perf_counter() - started) * 1000)
                queries.append(len(captured))
                if run_record.status != "applied":
                    raise RuntimeError(f"bench file was rejected: {run_record.errors[:3]}")
                outcome.setdefault("created", run_record.created)
                outcome["last_updated"] = run_record.updated
                outcome.setdefault("guardians_created", run_record.details.get("guardians_created"))
            raise _RollBack
    except _RollBack:
        pass
    return runner.result(
        bench=NAME,
        scale=scale,
        timing=runner.Timing(tuple(timings)),
        queries=queries[0],
        rows=rows,
        file_bytes=len(data),
        first_import_ms=round(timings[0], 1),
        reimport_median_ms=round(statistics.median(timings[1:]), 1) if len(timings) > 1 else None,
        reimport_queries=queries[1] if len(queries) > 1 else None,
        **outcome,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="pupils in the file")
    parser.add_argument("--repeat", type=int, default=5, help="imports to time (the first creates)")
    args = parser.parse_args()
    print(json.dumps(run(scale=args.scale, repeat=args.repeat), indent=2))


if __name__ == "__main__":
    main()

"""`manage.py bench retention_sweep` runs (here on two small schools) and prints its line; the sweep's queries
depend on the schools with something due, not on the pupils or cases (set-based: no query per pupil)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _run(scale: int) -> dict:
    out = io.StringIO()
    call_command("bench", "retention_sweep", "--scale", str(scale), "--repeat", "1", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().splitlines()[-1])


def test_the_bench_lists_due_records_in_a_bounded_number_of_queries():
    line = _run(2)
    assert line["bench"] == "retention_sweep" and line["pupils"] == 1000
    assert line["listed"] > 0 and line["batches"] >= 1
    # Every school's old alerts and audit events too; the retention trail's own events never.
    assert line["by_kind"]["monitoring.alerts"] == 40 and line["by_kind"]["audit.log"] == 40
    # The due cases of every kind and period in a few queries, then per batch its audit event's chain.
    assert line["queries"] <= 20 + 10 * line["batches"]

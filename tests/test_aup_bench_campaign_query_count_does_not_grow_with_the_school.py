"""`manage.py bench campaign` runs, and issuing a campaign costs the same queries for 20 or 200 pupils."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def _bench(scale: int) -> list[dict]:
    out = io.StringIO()
    call_command("bench", "campaign", "--scale", str(scale), "--repeat", "1", stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_issue_queries_are_the_same_at_two_scales():
    small, large = _bench(20), _bench(200)
    issue_small = next(line for line in small if line["variant"] == "issue")
    issue_large = next(line for line in large if line["variant"] == "issue")
    assert issue_small["parents"] == 30 and issue_large["parents"] == 300
    if connection.vendor == "postgresql":
        assert issue_small["queries"] == issue_large["queries"] > 0
    else:
        # SQLite caps the parameters of one statement, so bulk inserts split into more batches; never per row.
        assert 0 < issue_small["queries"] <= issue_large["queries"] < issue_small["queries"] + 20
    assert all(key in issue_large for key in ("bench", "scale", "median_ms", "p95_ms", "queries"))

"""The monitoring benches run at small scales and print the required keys; the queue's queries stay constant."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)
REQUIRED = ("bench", "scale", "median_ms", "p95_ms", "queries")


def bench(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("bench", *args, stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]


def test_queue_queries_do_not_grow_with_the_alerts():
    small = {line["variant"]: line["queries"] for line in bench("alerts_queue", "--scale", "400", "--repeat", "1")}
    large = {line["variant"]: line["queries"] for line in bench("alerts_queue", "--scale", "1200", "--repeat", "1")}
    assert small == large and set(small) == {"open", "critical", "pupil", "older"}


def test_the_import_bench_runs():
    (line,) = bench("alerts_import", "--scale", "300", "--repeat", "1")
    assert all(key in line for key in REQUIRED)
    assert line["rows"] == 300 and line["created"] + line["folded"] == 300


def test_the_webhook_bench_is_listed_and_asks_for_postgresql_for_gunicorn():
    out = io.StringIO()
    call_command("bench", "--list", stdout=out, stderr=io.StringIO())
    assert "alerts_webhook" in {json.loads(line)["bench"] for line in out.getvalue().splitlines()}
    # gunicorn is another process: on SQLite (the embedded suite's database) the bench says what it needs. On
    # PostgreSQL it would start gunicorn; it does so in tests/integration/test_monitoring_webhook_bench_*.py.
    if connection.vendor == "sqlite":
        with pytest.raises(RuntimeError, match="PostgreSQL"):
            bench("alerts_webhook", "--scale", "5")

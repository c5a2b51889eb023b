"""The filtering benches run at small scales and print the required keys; the log page's queries stay constant."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)
REQUIRED = ("bench", "scale", "median_ms", "p95_ms", "queries")


def bench(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("bench", *args, stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]


def test_log_page_queries_do_not_grow_with_the_log():
    small = {line["variant"]: line["queries"] for line in bench("filtering_log", "--scale", "60", "--repeat", "1")}
    large = {line["variant"]: line["queries"] for line in bench("filtering_log", "--scale", "400", "--repeat", "1")}
    assert small == large and set(small) == {"newest", "middle"}


def test_verify_and_vendor_import_run():
    (verify,) = bench("filtering_verify", "--scale", "50", "--repeat", "1")
    (imported,) = bench("vendor_import", "--scale", "200", "--repeat", "1")
    for line in (verify, imported):
        assert all(key in line for key in REQUIRED)
    assert imported["rows"] == 200 and imported["unexplained"] > 0

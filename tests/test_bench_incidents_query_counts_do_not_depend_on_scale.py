"""The dashboard, case page and report form send the same number of queries at a small and a ten-times bigger
school: nothing on them is loaded per case, per pupil or per timeline entry."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SMALL, LARGE = 40, 400


def bench(name: str, scale: int) -> list[dict]:
    out = io.StringIO()
    call_command("bench", name, "--scale", str(scale), "--repeat", "1", stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_dashboard_and_its_filters_send_the_same_queries_at_both_scales():
    small = {line["variant"]: line["queries"] for line in bench("dashboard", SMALL)}
    large = {line["variant"]: line["queries"] for line in bench("dashboard", LARGE)}

    assert set(small) == {
        "dashboard",
        "dashboard, after a change",
        "queue=unacknowledged",
        "category=cyberbullying",
        "q=surname",
    }
    assert large == small
    assert all(n > 0 for n in small.values())


def test_case_page_sends_the_same_queries_at_both_scales():
    small = {line["status"]: (line["queries"], line["entries"]) for line in bench("case", SMALL)}
    large = {line["status"]: (line["queries"], line["entries"]) for line in bench("case", LARGE)}

    common = set(small) & set(large)
    assert common, (small, large)
    assert {s: small[s][0] for s in common} == {s: large[s][0] for s in common}
    # Cases with more timeline entries cost no more queries either.
    assert len({queries for queries, _ in (*small.values(), *large.values())}) == 1


def test_report_submission_sends_the_same_queries_at_both_scales():
    (small,) = bench("report_incident", SMALL)
    (large,) = bench("report_incident", LARGE)

    assert small["pupils"] == large["pupils"] == 2
    assert small["queries"] == large["queries"] > 0


def test_trust_dashboard_and_overview_send_the_same_queries_at_both_scales():
    small = {line["variant"]: line["queries"] for line in bench("dashboard_trust", 200)}
    large = {line["variant"]: line["queries"] for line in bench("dashboard_trust", 800)}

    assert "trust_overview" in small
    assert large == small

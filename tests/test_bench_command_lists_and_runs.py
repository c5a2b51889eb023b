"""`manage.py bench` lists its benches and prints one JSON object per line with the keys reports rely on."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bench.generator import PERSONA_KEYS

pytestmark = pytest.mark.django_db

REQUIRED = ("bench", "scale", "median_ms", "p95_ms", "queries")


def bench(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("bench", *args, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines, "bench printed nothing"
    return [json.loads(line) for line in lines]


def test_list_names_login_and_home_with_their_default_scale():
    listed = {line["bench"]: line for line in bench("--list")}

    assert {"login", "home"} <= set(listed)
    for name in ("login", "home"):
        assert listed[name]["default_scale"] == 250_000
        assert listed[name]["description"]


def test_home_prints_one_line_per_role_with_the_required_keys():
    lines = bench("home", "--scale", "20", "--repeat", "2")

    assert [line["role"] for line in lines] == list(PERSONA_KEYS)
    for line in lines:
        assert all(key in line for key in REQUIRED), line
        assert (line["bench"], line["scale"], line["schools"], line["pupils"], line["n"]) == ("home", 20, 2, 20, 2)
        assert line["queries"] > 0
        assert 0 < line["min_ms"] <= line["median_ms"] <= line["p95_ms"] <= line["max_ms"]
    paths = {line["role"]: line["path"] for line in lines}
    assert paths["trust_lead"] == reverse("schools:trust_overview")
    assert paths["staff"] == reverse("home")


def test_home_query_counts_do_not_grow_with_the_size_of_the_trust():
    small = {line["role"]: line["queries"] for line in bench("home", "--scale", "20", "--repeat", "1")}
    large = bench("home", "--scale", "1500", "--repeat", "1")

    assert large[0]["schools"] == 3
    assert {line["role"]: line["queries"] for line in large} == small


def test_login_signs_in_through_the_form_and_names_the_hasher():
    (line,) = bench("login", "--scale", "20", "--repeat", "2")

    assert all(key in line for key in REQUIRED), line
    assert line["bench"] == "login" and line["role"] == "staff"
    assert line["hasher"]
    assert line["queries"] > 0


def test_an_unknown_bench_is_refused_with_the_names_that_exist():
    with pytest.raises(CommandError, match=r"Available: .*home"):
        bench("no_such_bench")

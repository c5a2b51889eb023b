"""The home page for each role at one school of a big trust: its time, and a query count that must not grow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from . import runner
from .generator import PERSONA_KEYS, build_trust, schools_for

NAME = "home"
DESCRIPTION = "GET / as each role at one school of a big trust (one line per role; the trust lead follows its redirect)"
DEFAULT_SCALE = 250_000  # pupils: a trust of 500 schools
DEFAULT_REPEAT = 20


def _home_getter(client: Client, *, key: str, landed: list[str]) -> Callable[[], None]:
    # The trust lead's home is the trust overview that / redirects to: both hops are timed.
    follow = key == "trust_lead"

    def get() -> None:
        response = client.get(reverse("home"), follow=follow)
        if response.status_code != 200:
            raise RuntimeError(f"home as {key}: HTTP {response.status_code}")
        landed[:] = [response.request["PATH_INFO"]]

    return get


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    built = build_trust(schools=schools_for(scale), pupils=scale, progress=runner.progress)
    lines = []
    for key in PERSONA_KEYS:
        landed: list[str] = []
        get = _home_getter(runner.signed_in_client(built.persona(key)), key=key, landed=landed)
        if key == "trust_lead":
            # The trust dashboard counts a school's figures once, on its first view or after a change (then
            # reads them): the steady state is what is compared across sizes.
            get()
            landed.clear()
        queries = runner.count_queries(get)
        timing = runner.time_calls(get, repeat=repeat)
        runner.progress(f"home: {key}: median {timing.median_ms:.1f} ms, {queries} queries")
        lines.append(
            runner.result(
                bench=NAME,
                scale=scale,
                timing=timing,
                queries=queries,
                role=key,
                path=landed[0],
                schools=built.schools,
                pupils=built.pupils,
                build_s=built.build_s,
                reused=built.reused,
            )
        )
    return lines

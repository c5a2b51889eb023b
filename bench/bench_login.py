"""A full password sign-in: POST to the sign-in form, through every middleware, with real password hashing."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from . import runner
from .generator import BENCH_PASSWORD, build_trust, schools_for

NAME = "login"
DESCRIPTION = "POST the sign-in form as a staff member of one school in a big trust (real password hasher)"
DEFAULT_SCALE = 250_000  # pupils: a trust of 500 schools
DEFAULT_REPEAT = 20


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    built = build_trust(schools=schools_for(scale), pupils=scale, progress=runner.progress)
    user = built.persona("staff")
    if not user.check_password(BENCH_PASSWORD):
        # Built under another hasher (pytest uses MD5): hash once with the one in force now.
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
    url = reverse("accounts:login")

    def sign_in() -> None:
        # A new browser each time: a signed-in client would be sent straight on without signing in.
        response = Client().post(url, {"username": user.email, "password": BENCH_PASSWORD})
        if response.status_code != 302 or response.url != reverse("home"):
            raise RuntimeError(f"sign-in as {user.email} failed: HTTP {response.status_code}")

    runner.progress(f"login: {repeat} sign-ins as {user.email} ({runner.password_hasher()})")
    queries = runner.count_queries(sign_in)
    timing = runner.time_calls(sign_in, repeat=repeat)
    return runner.result(
        bench=NAME,
        scale=scale,
        timing=timing,
        queries=queries,
        schools=built.schools,
        pupils=built.pupils,
        build_s=built.build_s,
        reused=built.reused,
        role="staff",
        hasher=runner.password_hasher(),
    )

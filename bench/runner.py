"""Shared helpers for benches: a timing loop, query counting, signed-in test clients and result lines."""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import requires_two_factor

REQUIRED_KEYS = ("bench", "scale", "median_ms", "p95_ms", "queries")


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout stays one JSON object per line."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.samples_ms)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        # Nearest rank: with few samples this is the slowest one, never an interpolated value nobody saw.
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def min_ms(self) -> float:
        return min(self.samples_ms)

    @property
    def max_ms(self) -> float:
        return max(self.samples_ms)


def time_calls(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> Timing:
    """Call ``fn`` ``warmup`` times untimed (caches, connections, compiled templates), then ``repeat`` times."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(tuple(samples))


def count_queries(fn: Callable[[], Any]) -> int:
    """Queries one call of ``fn`` sends to the default database (run apart from the timing loop)."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def signed_in_client(user, *, two_factor: bool | None = None) -> Client:
    """A test client signed in as ``user``; for roles that need it, with two-factor already passed.

    ``two_factor=None`` decides from the user's roles, as the access middleware does.
    """
    client = Client()
    client.force_login(user)
    if two_factor is None:
        roles = set(Membership.objects.current().filter(user=user).values_list("role", flat=True))
        two_factor = requires_two_factor(roles, is_superuser=user.is_superuser)
    if two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="bench", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def database_label() -> str:
    db = settings.DATABASES["default"]
    return f"{connection.vendor} {db['NAME']}"


def password_hasher() -> str:
    hasher = get_hasher()
    iterations = getattr(hasher, "iterations", None)
    return f"{hasher.algorithm} ({iterations} iterations)" if iterations else hasher.algorithm


def result(*, bench: str, scale: int, timing: Timing, queries: int, **extra: Any) -> dict[str, Any]:
    """One JSON line: the required keys first, then whatever the bench adds."""
    line: dict[str, Any] = {
        "bench": bench,
        "scale": scale,
        "median_ms": round(timing.median_ms, 2),
        "p95_ms": round(timing.p95_ms, 2),
        "queries": queries,
        "n": timing.n,
        "min_ms": round(timing.min_ms, 2),
        "max_ms": round(timing.max_ms, 2),
    }
    line.update(extra)
    line.setdefault("database", database_label())
    # DEBUG (the development default) logs every query's SQL: a little slower than production.
    line.setdefault("debug", settings.DEBUG)
    return line

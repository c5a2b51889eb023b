"""The suite's clock: which day the tests believe it is, and the school year around that day.

Every test runs on the *suite day*. By default that is today's real date, so ``make test`` on a fresh clone
tries whatever day it is run on; ``PORTAL_TEST_NOW=2027-08-10T10:00`` moves the whole run to another
instant (``.ci/run`` does so for a day in another term, a holiday and a new school year), and the
session header prints the line that replays a run. A test that is about particular dates freezes its
own clock with time-machine's marker, ``@pytest.mark.time_machine(datetime(...), tick=False)``, and
builds its records from that day; everything else must pass on any day.

The factories' school year is built from the suite day with ``school_year_terms`` (the portal's
``typical_terms``: the dates English schools usually keep), so the suite's holidays fall where real
holidays fall.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from safeguarding_portal.schools.calendar import academic_year_of, typical_terms

# The school year's own rules, re-exported for the factories.
__all__ = ["academic_year_of", "school_year_terms"]
school_year_terms = typical_terms

LONDON = ZoneInfo("Europe/London")
ENV = "PORTAL_TEST_NOW"
TERM_DATES_ENV = "PORTAL_TEST_TERM_DATES"


def _parse(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


@dataclass(frozen=True)
class SuiteClock:
    """Where the run's clock stands: ``start`` is the suite instant at the start of the session; tests
    see ``start`` plus the real time elapsed since, so a run's clock moves forward as the real one does."""

    start: datetime.datetime
    shifted: bool

    def replay_hint(self) -> str:
        return f"{ENV}={self.start.astimezone(LONDON).strftime('%Y-%m-%dT%H:%M')}"


def suite_clock() -> SuiteClock:
    value = os.environ.get(ENV, "").strip()
    if value:
        return SuiteClock(start=_parse(value), shifted=True)
    return SuiteClock(start=datetime.datetime.now(LONDON), shifted=False)


def term_dates_entered() -> str:
    """Which years' term dates the suite's schools have entered: ``current`` (the academic year of the
    suite day, the usual case) or ``previous`` (only last year's: a new school year whose dates nobody has
    entered yet)."""
    value = os.environ.get(TERM_DATES_ENV, "current").strip() or "current"
    if value not in {"current", "previous"}:
        raise ValueError(f"{TERM_DATES_ENV} is 'current' or 'previous', not {value!r}")
    return value


def today() -> datetime.date:
    """The day it is for the test now running (the frozen or shifted clock's day, in London)."""
    return datetime.datetime.now(LONDON).date()


def at(when: str | datetime.date | datetime.datetime) -> datetime.datetime:
    """A London wall-clock instant: ``at("2026-11-23 10:00")``; a bare date means 10:00 that day."""
    if isinstance(when, str):
        when = datetime.datetime.fromisoformat(when)
    if not isinstance(when, datetime.datetime):
        when = datetime.datetime.combine(when, datetime.time(10, 0))
    return when if when.tzinfo else when.replace(tzinfo=LONDON)


def frozen(when: str | datetime.date | datetime.datetime, *, tick: bool = False) -> pytest.MarkDecorator:
    """time-machine's marker, frozen at ``at(when)``: ``pytestmark = clock.frozen("2026-11-23")``."""
    return pytest.mark.time_machine(at(when), tick=tick)


SHARD_ENV = "PORTAL_TEST_SHARD"


def shard() -> tuple[int, int, int] | None:
    """``PORTAL_TEST_SHARD=k/n:seed`` (CI's stage 1b): this run takes the k-th of n shares of the suite's
    test files, dealt by the seed. CI's three moved-clock runs share the suite out this way, so each file
    runs on one of the three days, a different one as the seed changes, at the cost of one extra suite
    instead of three. Unset: the whole suite."""
    value = os.environ.get(SHARD_ENV, "").strip()
    if not value:
        return None
    part, _, seed = value.partition(":")
    index, _, count = part.partition("/")
    k, n = int(index), int(count)
    if not 0 <= k < n:
        raise ValueError(f"{SHARD_ENV} is k/n:seed with 0 <= k < n, not {value!r}")
    return k, n, int(seed or 0)


def share_of(units: list[str], *, index: int, count: int, seed: int) -> set[str]:
    """The units of share ``index`` of ``count``. ``units`` has one entry per test: the test's own id, or
    its file's where the file's tests share a module-wide fixture (so that fixture is built in one share
    only), so a unit's weight is its number of tests. Units are dealt heaviest first to the lightest share,
    ties broken by ``seed``: every unit is in exactly one share, the shares carry about as many tests each,
    and which share (which day) a unit lands in changes with the seed."""
    import collections
    import random

    rng = random.Random(seed)
    weights = collections.Counter(units)
    order = sorted(weights)
    rng.shuffle(order)
    order.sort(key=lambda name: -weights[name])  # stable: equal weights keep the shuffled order
    loads = [0] * count
    rank = list(range(count))
    rng.shuffle(rank)  # which share wins a tie in load
    chosen: set[str] = set()
    for name in order:
        lightest = min(range(count), key=lambda share: (loads[share], rank[share]))
        loads[lightest] += weights[name]
        if lightest == index:
            chosen.add(name)
    return chosen

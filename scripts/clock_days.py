#!/usr/bin/env python3
"""Picks the days CI runs the suite on besides today's, one of each kind, different every run:

  term      a school day inside another term than today's (within the next two school years)
  holiday   a day of a Christmas, Easter or summer holiday (or a weekend) within the next two years
  new-year  a day in the first half of next autumn term, with that year's term dates not entered
            (PORTAL_TEST_TERM_DATES=previous: the fixtures enter only the year before)

Prints one line per day: ``kind PORTAL_TEST_NOW PORTAL_TEST_TERM_DATES description``. A run is replayed
from its line: ``PORTAL_TEST_NOW=... PORTAL_TEST_TERM_DATES=... make test``. The seed (printed first) makes
the choice repeatable: ``scripts/clock_days.py --seed 1234``.

    scripts/clock_days.py [--seed N] [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safeguarding_portal.schools.calendar import academic_year_label, academic_year_of, typical_terms

# Hours a school's staff use the portal, avoiding the hour around midnight a long test could run across.
FIRST_HOUR, LAST_HOUR = 7, 20


def _terms(years: range) -> list[tuple[str, int, datetime.date, datetime.date]]:
    return [(name, year, start, end) for year in years for name, start, end in typical_terms(year)]


def _at(rng: random.Random, day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}T{rng.randint(FIRST_HOUR, LAST_HOUR):02d}:{rng.randrange(60):02d}"


def _random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def pick(*, today: datetime.date, rng: random.Random) -> list[tuple[str, str, str, str]]:
    year = academic_year_of(today)
    terms = _terms(range(year, year + 2))
    days: list[tuple[str, str, str, str]] = []

    # A school day in another term.
    others = [t for t in terms if not t[2] <= today <= t[3] and t[3] > today]
    name, term_year, start, end = rng.choice(others)
    lower = max(start, today + datetime.timedelta(days=1))
    day = _random_day(rng, lower, end)
    if day.weekday() >= 5:  # a weekend: the Friday before, or the Monday after at the start of term
        friday = day - datetime.timedelta(days=day.weekday() - 4)
        day = friday if friday >= lower else day + datetime.timedelta(days=7 - day.weekday())
    days.append(("term", _at(rng, day), "current", f"{day:%a %d %b %Y}, {name} term {academic_year_label(term_year)}"))

    # A holiday between two terms, or a weekend in term.
    gaps = [
        (a[3] + datetime.timedelta(days=1), b[2] - datetime.timedelta(days=1), b)
        for a, b in itertools.pairwise(terms)
        if b[2] - datetime.timedelta(days=1) > today
    ]
    first, last, following = rng.choice(gaps)
    if rng.random() < 0.8:
        day = _random_day(rng, max(first, today + datetime.timedelta(days=1)), last)
        holiday = {"spring": "Christmas", "summer": "Easter", "autumn": "summer"}[following[0]]
        what = f"{holiday} holiday"
    else:
        day = _random_day(rng, following[2], following[3])
        day += datetime.timedelta(days=(5 - day.weekday()) % 7)  # the next Saturday, or the one before
        if day > following[3]:
            day -= datetime.timedelta(days=7)
        what = "a weekend in term"
    days.append(("holiday", _at(rng, day), "current", f"{day:%a %d %b %Y}, {what}"))

    # The start of next school year, its term dates not entered.
    autumn = typical_terms(year + 1)[0]
    day = _random_day(rng, autumn[1], autumn[1] + datetime.timedelta(days=40))
    days.append(
        (
            "new-year",
            _at(rng, day),
            "previous",
            f"{day:%a %d %b %Y}, {academic_year_label(year + 1)} with no term dates entered",
        )
    )
    return days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date.today())
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"seed {seed}")
    for kind, now, term_dates, description in pick(today=args.today, rng=random.Random(seed)):
        print(f"{kind} {now} {term_dates} {description}")


if __name__ == "__main__":
    main()

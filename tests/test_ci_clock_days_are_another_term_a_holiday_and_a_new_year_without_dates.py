"""The days CI moves the suite's clock to (scripts/clock_days.py) are of the kinds the issue names, from
any day they are picked on, and the same seed picks the same days."""

import datetime
import importlib.util
import random
from pathlib import Path

import pytest

from safeguarding_portal.schools.calendar import academic_year_of, typical_terms

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "clock_days.py"
spec = importlib.util.spec_from_file_location("clock_days", SCRIPT)
clock_days = importlib.util.module_from_spec(spec)
spec.loader.exec_module(clock_days)


def _term_of(day):
    for year in range(academic_year_of(day) - 1, academic_year_of(day) + 2):
        for name, start, end in typical_terms(year):
            if start <= day <= end:
                return (year, name)
    return None


@pytest.mark.parametrize("seed", range(40))
def test_each_kind_of_day_is_what_it_says_from_any_starting_day(seed):
    rng = random.Random(seed)
    today = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(3 * 365))
    days = {
        kind: (datetime.datetime.fromisoformat(now), dates, text)
        for kind, now, dates, text in clock_days.pick(today=today, rng=rng)
    }
    assert set(days) == {"term", "holiday", "new-year"}
    for moment, _, _ in days.values():
        assert moment.date() > today and clock_days.FIRST_HOUR <= moment.hour <= clock_days.LAST_HOUR

    term_day, dates, _ = days["term"]
    assert term_day.weekday() < 5 and _term_of(term_day.date()) not in (None, _term_of(today))
    assert dates == "current"

    holiday, dates, text = days["holiday"]
    assert dates == "current"
    assert _term_of(holiday.date()) is None or (holiday.weekday() >= 5 and text.endswith("a weekend in term"))

    new_year, dates, _ = days["new-year"]
    autumn = typical_terms(academic_year_of(today) + 1)[0]
    assert dates == "previous" and autumn[1] <= new_year.date() <= autumn[1] + datetime.timedelta(days=40)


def test_on_every_day_of_a_year_each_kind_can_be_picked():
    day = datetime.date(2027, 1, 1)
    while day.year == 2027:
        assert len(clock_days.pick(today=day, rng=random.Random(day.toordinal()))) == 3
        day += datetime.timedelta(days=1)


def test_a_seed_replays_the_same_days():
    today = datetime.date(2026, 12, 3)
    assert clock_days.pick(today=today, rng=random.Random(7)) == clock_days.pick(today=today, rng=random.Random(7))

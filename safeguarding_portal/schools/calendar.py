"""The English school year as plain date arithmetic (no Django, so CI's scripts can use it too).

An academic year runs from 1 August to 31 July and is named by the calendar year it starts in; schools
record it as three terms (``schools.models.Term``), entered by the office each year.
"""

from __future__ import annotations

import datetime


def academic_year_of(day: datetime.date) -> int:
    """The calendar year the academic year holding ``day`` starts in: a year runs 1 August to 31 July."""
    return day.year if day.month >= 8 else day.year - 1


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 8, 1), datetime.date(year + 1, 7, 31)


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _weekday_on_or_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=-day.weekday() % 7)


def _friday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def typical_terms(academic_year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """(name, first day, last day) of the autumn, spring and summer terms as English schools usually keep
    them: from the first weekday from 2 September to the last Friday before 20 December, from the first
    weekday from 4 January to the last Friday of March, from the Monday after 11 April to the last weekday
    by 22 July. Local authorities' dates differ by a few days; the demo and the tests use these, and each
    school enters its own."""
    y, n = academic_year, academic_year + 1
    return [
        ("autumn", _weekday_on_or_after(datetime.date(y, 9, 2)), _friday_on_or_before(datetime.date(y, 12, 19))),
        ("spring", _weekday_on_or_after(datetime.date(n, 1, 4)), _friday_on_or_before(datetime.date(n, 3, 31))),
        ("summer", _monday_on_or_after(datetime.date(n, 4, 12)), _weekday_on_or_before(datetime.date(n, 7, 22))),
    ]

"""Report periods: a term of the school's, or any date range, and the three periods before it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.schools.models import School, Term


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str
    short: str

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        return day_bounds(self.start, self.end)


def range_label(start: datetime.date, end: datetime.date) -> str:
    if start.year == end.year:
        return f"{start:%-d %b} \N{EN DASH} {end:%-d %b %Y}"
    return f"{start:%-d %b %Y} \N{EN DASH} {end:%-d %b %Y}"


def term_period(term: Term) -> Period:
    return Period(term.starts_on, term.ends_on, str(term), f"{term.get_name_display()} {term.academic_year_label}")


def period_for(*, school: School, start: datetime.date, end: datetime.date) -> Period:
    term = Term.objects.filter(school=school, starts_on=start, ends_on__gte=end).first()
    if term is not None and term.ends_on == end:
        return term_period(term)
    if term is not None:
        # A term so far (asked for before it ends): named as such, so the comparison with whole terms is fair.
        return Period(
            start, end, f"{term} to {end:%-d %b %Y}", f"{term.get_name_display()} {term.academic_year_label} so far"
        )
    label = range_label(start, end)
    return Period(start, end, label, label)


def previous_periods(*, school: School, start: datetime.date, end: datetime.date, n: int = 3) -> list[Period]:
    """The ``n`` periods before this one, oldest first: the school's previous terms when this is a term
    (or starts where a term starts), otherwise windows of the same length immediately before."""
    terms = list(Term.objects.filter(school=school, ends_on__lt=start).order_by("-ends_on")[:n])
    if len(terms) == n and Term.objects.filter(school=school, starts_on=start).exists():
        return [term_period(t) for t in reversed(terms)]
    length = (end - start).days + 1
    periods = []
    for i in range(n, 0, -1):
        p_start = start - datetime.timedelta(days=length * i)
        p_end = p_start + datetime.timedelta(days=length - 1)
        label = range_label(p_start, p_end)
        periods.append(Period(p_start, p_end, label, label))
    return periods

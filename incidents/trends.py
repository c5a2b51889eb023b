"""Trends for the DSL team and the online safety lead: counts, never cases.

Only pupils' concerns (the DSL route) are counted: allegations about staff are for the headteacher or the
chair, and a count by category would reveal one to people who cannot open it. Every figure is one
aggregate query, however many cases there are. Counts by year group use the pupil's year group when
it happened (IncidentPupil.year_group); the flagged list names each pupil's year group now.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safeguarding_portal.schools.calendar import academic_year_label, academic_year_of
from safeguarding_portal.schools.models import FlagGroup, School, YearGroup
from safeguarding_portal.schools.selectors import term_in_view

from .categories import FOUR_C, Category, FourC
from .figures import concerns, flag_group_counts
from .models import Incident, IncidentPupil

FLAG_THRESHOLD = 3


@dataclass
class Bar:
    key: str
    label: str
    n: int
    width: int = 0  # of 100, for the SVG bar


@dataclass
class Window:
    starts_on: datetime.date
    ends_on: datetime.date
    label: str


@dataclass
class FlaggedPupil:
    pupil_id: int
    name: str
    year_group: str
    n: int


@dataclass
class Trends:
    year: Window
    term: Window
    total: int
    by_category: list[Bar]
    by_four_c: list[Bar]
    by_year_group: list[Bar]
    by_month: list[Bar]
    flagged_count: int
    flagged: list[FlaggedPupil] = field(default_factory=list)
    # (FlagGroup value, label, concerns this year): incidents.figures.flag_group_counts, shown small-counted.
    by_flag_group: list[tuple[str, str, int]] = field(default_factory=list)


def academic_year(today: datetime.date) -> Window:
    start_year = academic_year_of(today)
    return Window(
        datetime.date(start_year, 8, 1), datetime.date(start_year + 1, 7, 31), academic_year_label(start_year)
    )


def term_window(*, school: School, today: datetime.date) -> Window:
    """The term in view (schools.selectors.term_in_view): the current term; out of term the term that
    ended last; with none started, the last 13 weeks. The label says which."""
    view = term_in_view(school=school, today=today)
    starts_on, ends_on = view.window()
    return Window(starts_on, ends_on, str(view.term) if view.in_term else view.note)


def _scaled(bars: list[Bar]) -> list[Bar]:
    top = max([b.n for b in bars] + [1])
    for b in bars:
        b.width = round(100 * b.n / top)
    return bars


def _cases(school: School):
    return Incident.objects.filter(concerns(), school=school)


def trends(*, school: School, with_names: bool, today: datetime.date | None = None) -> Trends:
    today = today or timezone.localdate()
    year = academic_year(today)
    term = term_window(school=school, today=today)
    in_year = _cases(school).filter(reported_at__date__gte=year.starts_on, reported_at__date__lte=year.ends_on)

    by_cat = dict(in_year.values_list("category").annotate(n=Count("pk")).order_by())
    categories = _scaled([Bar(c.value, c.label, by_cat.get(c.value, 0)) for c in Category])
    four_c_totals = {fc.value: 0 for fc in FourC}
    for category, n in by_cat.items():
        four_c_totals[FOUR_C[category]] += n
    four_cs = _scaled([Bar(fc.value, fc.label, four_c_totals[fc.value]) for fc in FourC])

    by_year_rows = dict(
        IncidentPupil.objects.current()
        .filter(incident__in=in_year.values("pk"))
        .exclude(year_group="")
        .values_list("year_group")
        .annotate(n=Count("incident", distinct=True))
        .order_by()
    )
    year_groups = _scaled(
        [Bar(y.value, y.label, by_year_rows[y.value]) for y in YearGroup if by_year_rows.get(y.value)]
    )

    by_month_rows = {
        (m.date() if isinstance(m, datetime.datetime) else m): n
        for m, n in in_year.annotate(month=TruncMonth("reported_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    months, day = [], year.starts_on
    while day <= min(year.ends_on, today):
        months.append(Bar(day.isoformat(), day.strftime("%b %Y"), by_month_rows.get(day, 0)))
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    flagged_rows = (
        IncidentPupil.objects.current()
        .filter(
            incident__in=_cases(school)
            .filter(reported_at__date__gte=term.starts_on, reported_at__date__lte=term.ends_on)
            .values("pk")
        )
        .values("pupil_id")
        .annotate(n=Count("incident", distinct=True))
        .filter(n__gte=FLAG_THRESHOLD)
    )
    flagged: list[FlaggedPupil] = []
    if with_names:
        rows = flagged_rows.values(
            "pupil_id", "n", "pupil__legal_forename", "pupil__preferred_forename", "pupil__surname", "pupil__year_group"
        ).order_by("-n", "pupil__surname")
        flagged = [
            FlaggedPupil(
                r["pupil_id"],
                f"{r['pupil__preferred_forename'] or r['pupil__legal_forename']} {r['pupil__surname']}",
                YearGroup(r["pupil__year_group"]).label,
                r["n"],
            )
            for r in rows
        ]
        flagged_count = len(flagged)
    else:
        flagged_count = flagged_rows.count()

    by_flag = flag_group_counts(school_ids=[school.pk], start=year.starts_on, end=year.ends_on)[school.pk]
    return Trends(
        by_flag_group=[(group, FlagGroup(group).label, n) for group, n in by_flag.items()],
        year=year,
        term=term,
        total=sum(by_cat.values()),
        by_category=categories,
        by_four_c=four_cs,
        by_year_group=year_groups,
        by_month=_scaled(months),
        flagged_count=flagged_count,
        flagged=flagged,
    )

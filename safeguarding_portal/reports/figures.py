"""Figures other surfaces take from the domain apps' own selectors: each app's ``figures`` module registers
the columns it adds to the trust report, computed by the same selector its home panel and governor section
use (one number, everywhere). The foundations discover them here and import no domain app.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from safeguarding_portal.core import plugins


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    values: dict[int, str]  # school id -> the figure as shown
    rag: dict[int, str]  # school id -> red / amber / green ("" for none)


TrustColumns = Callable[..., list[Column]]


def trust_columns(order: int) -> Callable[[TrustColumns], TrustColumns]:
    """Register ``fn(*, school_ids, start, end, today) -> list[Column]`` (core.plugins, kind ``trust_columns``);
    columns show in ``order``."""
    return plugins.registers("trust_columns", order=order)


def columns_for(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date, today: datetime.date
) -> list[Column]:
    ids = list(school_ids)
    found: list[Column] = []
    for fn in plugins.values("trust_columns"):
        found += fn(school_ids=ids, start=start, end=end, today=today)
    return found


def rag_percent(percent: int | None, *, green: int = 95, amber: int = 75) -> str:
    if percent is None:
        return ""
    return "green" if percent >= green else ("amber" if percent >= amber else "red")


def as_percent(percent: int | None) -> str:
    return "—" if percent is None else f"{percent}%"


# --- Measures: the trust dashboard's cells ----------------------------------------------------------------
# Each app registers the measures of its area with ``school_measures``; reports.school_figures stores them per
# school (SchoolFigures) so the dashboard reads one row per school, and the trust's thresholds turn each into a
# red/amber/green state. A measure is a raw number per school computed by the app's own selector (the one its
# home panel and governor section use); how it is shown ("fewer than 3", a percentage) is decided here.


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    area: str
    values: dict[int, int | None]  # school id -> the raw figure (None: nothing to count, e.g. no staff)
    kind: str = "count"  # "count" or "percent"
    child: bool = False  # a count of children (or their cases): "fewer than 3" when shown
    higher_is_better: bool = False
    amber: int = 1  # default thresholds, which the trust may change (reports.TrustThresholds)
    red: int = 3
    parts: dict[int, dict[str, int]] | None = None  # a breakdown shown with the figure (by 4C, by agency)
    previous: dict[int, list[int]] | None = None  # the same figure for the last three terms, oldest first
    note: dict[int, str] | None = None  # words shown with the figure (a due date)


SchoolMeasures = Callable[..., list[Measure]]

# Areas the dashboard keeps a cell for even before an app provides them: "not set up" until one registers.
EXPECTED_MEASURES: dict[str, tuple[str, str]] = {
    "monitoring_alerts": ("Monitoring alerts", "Monitoring"),
    "monitoring_pickup": ("Time to pick up alerts", "Monitoring"),
}


def school_measures(order: int) -> Callable[[SchoolMeasures], SchoolMeasures]:
    """Register ``fn(*, school_ids, start, end, today, previous) -> list[Measure]``.

    ``previous`` is the three periods before (start, end), oldest first, for measures with a trend. All the
    schools passed share the same period: the caller groups schools by their term dates.
    """
    return plugins.registers("school_measures", order=order)


def measures_for(
    *,
    school_ids: Iterable[int],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    previous: list[tuple[datetime.date, datetime.date]],
) -> list[Measure]:
    ids = list(school_ids)
    found: list[Measure] = []
    for fn in plugins.values("school_measures"):
        found += fn(school_ids=ids, start=start, end=end, today=today, previous=previous)
    return found


# Models whose changes move a school's figures: apps name theirs with ``refresh_on`` (their figures module,
# imported by ReportsConfig.ready through core.plugins.discover before the signals are connected), and
# reports.school_figures asks for a refresh of that school when one is saved or deleted.
WATCHED: set[type] = set()


def refresh_on(*models: type) -> None:
    WATCHED.update(models)

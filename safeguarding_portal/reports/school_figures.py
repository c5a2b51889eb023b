"""Pre-computed per-school figures for the trust dashboard (``SchoolFigures``), and how they are read.

The figures are the apps' own measures (``reports.figures.school_measures``), computed by the same selectors
as the schools' home pages and governor reports, for each school's term in view (or a chosen period). They
are refreshed:

* on commit of a change to a model an app watches (``reports.figures.refresh_on``): the school's row is
  marked stale and one ``reports.refresh_school_figures`` task is queued through the outbox; further changes
  before that task runs queue nothing more (coalesced through the cache);
* by the sweep (``reports.sweep_school_figures``, from beat), which refreshes every school.

Reading the dashboard is then three queries whatever the number of schools: the schools, their rows, the
trust's thresholds. The raw numbers are stored; "fewer than 3" and red/amber/green are applied on reading.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools.models import Pupil, School
from safeguarding_portal.schools.selectors import term_in_view

from .figures import EXPECTED_MEASURES, WATCHED, measures_for
from .models import SchoolFigures, TrustThresholds
from .periods import previous_periods, range_label
from .privacy import small_count

log = logging.getLogger(__name__)

TASK = "reports.refresh_school_figures"
SCHOOL_KEY = "_school"  # facts about the school itself (pupils on roll), not a measure
PENDING_KEY = "school-figures:pending:{}"
PENDING_SECONDS = 300  # a queued refresh that never ran (broker down) stops coalescing after this long


# --- Computing ---------------------------------------------------------------------------------------------


def _windows(
    schools: list[School], *, period: tuple[datetime.date, datetime.date] | None, today: datetime.date
) -> dict[tuple, list[School]]:
    """Schools grouped by (start, end, previous periods, label): schools of a trust usually share term dates,
    so each group's measures are one set of grouped queries."""
    groups: dict[tuple, list[School]] = defaultdict(list)
    for school in schools:
        if period is None:
            view = term_in_view(school=school, today=today)
            start, end = view.window()
            label = str(view.term) if view.term is not None else range_label(start, end)
        else:
            start, end = period
            label = range_label(start, end)
        previous = tuple((p.start, p.end) for p in previous_periods(school=school, start=start, end=end))
        groups[(start, end, previous, label)].append(school)
    return groups


def _entry(measure, sid: int) -> dict:
    entry = {
        "v": measure.values.get(sid),
        "label": measure.label,
        "area": measure.area,
        "kind": measure.kind,
        "child": measure.child,
        "hib": measure.higher_is_better,
        "amber": measure.amber,
        "red": measure.red,
    }
    if measure.parts is not None:
        entry["parts"] = measure.parts.get(sid, {})
    if measure.previous is not None:
        entry["prev"] = measure.previous.get(sid, [])
    if measure.note is not None and measure.note.get(sid):
        entry["note"] = measure.note[sid]
    return entry


def period_key(period: tuple[datetime.date, datetime.date] | None) -> str:
    return SchoolFigures.CURRENT_TERM if period is None else f"{period[0].isoformat()}:{period[1].isoformat()}"


def refresh(
    *,
    school_ids: Iterable[int],
    period: tuple[datetime.date, datetime.date] | None = None,
    today: datetime.date | None = None,
) -> int:
    """Compute and store the figures of these schools for their term in view (or ``period``)."""
    today = today or timezone.localdate()
    schools = list(School.objects.filter(pk__in=list(school_ids)).order_by("pk"))
    key = period_key(period)
    stored = 0
    for (start, end, previous, label), group in _windows(schools, period=period, today=today).items():
        ids = [s.pk for s in group]
        started = timezone.now()
        measures = measures_for(school_ids=ids, start=start, end=end, today=today, previous=list(previous))
        # Pupils on roll (not those who have left): the size a school's figures are read against.
        on_roll = dict(
            Pupil.objects.filter(school_id__in=ids, left_on__isnull=True)
            .values_list("school_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        with transaction.atomic():
            for sid in ids:
                figures = {m.key: _entry(m, sid) for m in measures}
                figures[SCHOOL_KEY] = {"on_roll": on_roll.get(sid, 0)}
                row, created = SchoolFigures.objects.select_for_update().get_or_create(
                    school_id=sid,
                    period_key=key,
                    defaults={
                        "starts_on": start,
                        "ends_on": end,
                        "period_label": label,
                        "figures": figures,
                        "computed_at": started,
                    },
                )
                if not created:
                    # A change committed while computing keeps the row stale, so the next refresh takes it.
                    still_stale = row.stale_since is not None and row.stale_since > started
                    row.starts_on, row.ends_on, row.period_label, row.figures = start, end, label, figures
                    row.computed_at = started
                    row.stale_since = row.stale_since if still_stale else None
                    row.save()
                stored += 1
    return stored


def refresh_one(*, school_id: int) -> int:
    """The task's body: the school's term figures, and any chosen periods already stored for it."""
    cache.delete(PENDING_KEY.format(school_id))
    n = refresh(school_ids=[school_id])
    for row in SchoolFigures.objects.filter(school_id=school_id).exclude(period_key=SchoolFigures.CURRENT_TERM):
        n += refresh(school_ids=[school_id], period=(row.starts_on, row.ends_on))
    return n


def sweep(*, today: datetime.date | None = None) -> int:
    """Every school's term figures (beat, nightly and after term dates change); chosen periods are dropped
    after a day, as they are asked for again when needed."""
    SchoolFigures.objects.exclude(period_key=SchoolFigures.CURRENT_TERM).filter(
        computed_at__lt=timezone.now() - datetime.timedelta(days=1)
    ).delete()
    ids = list(School.objects.values_list("pk", flat=True))
    return refresh(school_ids=ids, today=today)


# --- Refresh on commit ---------------------------------------------------------------------------------


def request_refresh(school_id: int | None) -> None:
    """Ask for a refresh of this school's figures once the current transaction commits (coalesced: one task
    per school until that task starts, however many changes are committed meanwhile)."""
    if not school_id or not getattr(settings, "SCHOOL_FIGURES_REFRESH_ON_COMMIT", True):
        return
    transaction.on_commit(lambda: _flush(school_id), robust=True)


def _flush(school_id: int) -> None:
    try:
        fresh = cache.add(PENDING_KEY.format(school_id), 1, PENDING_SECONDS)
    except Exception:  # the cache is down: queue it anyway (a refresh too many is harmless)
        fresh = True
    if not fresh:
        return
    SchoolFigures.objects.filter(school_id=school_id, stale_since__isnull=True).update(stale_since=timezone.now())
    enqueue(TASK, school_id=school_id)


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures
    request_refresh(getattr(instance, "school_id", None))


def connect_signals() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"school-figures-{model._meta.label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"school-figures-{model._meta.label}-delete")


# --- Reading ---------------------------------------------------------------------------------------------

RAG_WORDS = {"red": "Red: needs attention", "amber": "Amber: keep an eye on", "green": "Green: in hand", "": "No state"}


@dataclass
class Cell:
    key: str
    label: str
    value: str  # as shown: "fewer than 3", "94%", "not set up"
    rag: str  # red / amber / green / ""
    detail: str = ""  # the 4C split, referrals by agency, a due date, a trend

    @property
    def rag_text(self) -> str:
        return RAG_WORDS[self.rag]


@dataclass
class Area:
    name: str
    cells: list[Cell]

    @property
    def reds(self) -> int:
        return sum(c.rag == "red" for c in self.cells)

    @property
    def ambers(self) -> int:
        return sum(c.rag == "amber" for c in self.cells)

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")


@dataclass
class Row:
    school: School
    figures: SchoolFigures | None
    areas: list[Area] = field(default_factory=list)

    @property
    def reds(self) -> int:
        return sum(a.reds for a in self.areas)

    @property
    def on_roll(self) -> int | None:
        return self.figures.figures.get(SCHOOL_KEY, {}).get("on_roll") if self.figures else None

    @property
    def ambers(self) -> int:
        return sum(a.ambers for a in self.areas)

    @property
    def attention(self) -> str:
        if self.figures is None:
            return "Not yet counted"
        if not self.reds and not self.ambers:
            return "Nothing needs attention"
        parts = [f"{self.reds} red" if self.reds else "", f"{self.ambers} amber" if self.ambers else ""]
        return ", ".join(p for p in parts if p)


def thresholds_for(trust) -> dict[str, dict[str, int]]:
    row = TrustThresholds.objects.filter(trust=trust).only("values").first()
    return dict(row.values) if row is not None else {}


def judge(entry: dict, limits: dict | None) -> str:
    value = entry.get("v")
    if value is None:
        return ""
    amber = (limits or {}).get("amber", entry["amber"])
    red = (limits or {}).get("red", entry["red"])
    if entry.get("hib"):
        return "red" if value < red else "amber" if value < amber else "green"
    return "red" if value >= red else "amber" if value >= amber else "green"


def shown(entry: dict) -> str:
    value = entry.get("v")
    if value is None:
        return "—"
    if entry["kind"] == "percent":
        return f"{value}%"
    if entry["kind"] == "state":
        return {0: "in date", 1: "due soon", 2: "overdue"}.get(value, str(value))
    return str(small_count(value)) if entry.get("child") else str(value)


def trend(entry: dict) -> str:
    """The figure against the average of the last three terms, in words (never a small count)."""
    previous = entry.get("prev") or []
    if not previous:
        return ""
    average = sum(previous) / len(previous)
    value = entry.get("v") or 0
    if average == 0 and value == 0:
        word = "level with the last three terms (none)"
    elif value > average * 1.2:
        word = "up on the last three terms"
    elif value < average * 0.8:
        word = "down on the last three terms"
    else:
        word = "about level with the last three terms"
    earlier = ", ".join(str(small_count(n)) for n in previous)
    return f"{word} ({earlier})"


def cell_of(key: str, entry: dict, limits: dict | None) -> Cell:
    details = []
    if entry.get("parts"):
        details.append(
            ", ".join(
                f"{name} {small_count(n) if entry.get('child') else n}" for name, n in entry["parts"].items() if n
            )
        )
    if entry.get("prev") is not None:
        details.append(trend(entry))
    if entry.get("note"):
        details.append(entry["note"])
    return Cell(key, entry["label"], shown(entry), judge(entry, limits), "; ".join(d for d in details if d))


def areas_of(figures: dict, limits: dict[str, dict], *, states_only: bool = False) -> list[Area]:
    """The figures as areas of cells; ``states_only`` judges them without the words (enough to sort by)."""
    by_area: dict[str, list[Cell]] = {}
    for key, entry in figures.items():
        if key == SCHOOL_KEY:
            continue
        cell = (
            Cell(key, entry["label"], "", judge(entry, limits.get(key)))
            if states_only
            else cell_of(key, entry, limits.get(key))
        )
        by_area.setdefault(entry["area"], []).append(cell)
    for key, (label, area) in EXPECTED_MEASURES.items():
        if key not in figures:
            by_area.setdefault(area, []).append(Cell(key, label, "not set up", ""))
    return [Area(name, cells) for name, cells in by_area.items()]


SORTS = {"attention": "What needs attention", "name": "School name"}


PAGE_SIZE = 50  # rows a page of the dashboard shows; the trust-wide picture counts every school


def dashboard(
    *,
    trust,
    period: tuple[datetime.date, datetime.date] | None = None,
    sort: str = "attention",
    compute_missing: bool = True,
    page: int | None = None,
) -> dict:
    """One row per school of the trust: its figures as cells with their state, sorted."""
    key = period_key(period)
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    stored = {f.school_id: f for f in SchoolFigures.objects.filter(school__trust=trust, period_key=key)}
    missing = [s.pk for s in schools if s.pk not in stored]
    if missing and compute_missing:
        # First look at a chosen period (or a school just added): counted now, kept for the next look.
        refresh(school_ids=missing, period=period)
        stored = {f.school_id: f for f in SchoolFigures.objects.filter(school__trust=trust, period_key=key)}
    limits = thresholds_for(trust)
    rows = []
    for school in schools:
        figures = stored.get(school.pk)
        rows.append(Row(school, figures, areas_of(figures.figures, limits, states_only=True) if figures else []))
    area_names = list(dict.fromkeys(a.name for r in rows for a in r.areas))
    if sort == "name":
        pass
    elif sort in {a.lower().replace(" ", "-") for a in area_names}:
        rows.sort(
            key=lambda r: (
                -sum(a.reds for a in r.areas if a.slug == sort),
                -sum(a.ambers for a in r.areas if a.slug == sort),
                r.school.name,
            )
        )
    else:
        sort = "attention"
        rows.sort(key=lambda r: (-r.reds, -r.ambers, r.school.name))
    totals, on_roll, count = trust_totals(rows), sum(r.on_roll or 0 for r in rows), len(rows)
    pages = max(1, -(-count // PAGE_SIZE))
    if page is not None:
        # A trust of hundreds of schools reads a page at a time, those needing most attention first.
        page = min(max(1, page), pages)
        rows = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    for row in rows:
        # The shown rows in full, each row's areas in the same order as the header.
        by_name = {a.name: a for a in (areas_of(row.figures.figures, limits) if row.figures else [])}
        row.areas = [by_name.get(n, Area(n, [])) for n in area_names]
    computed = [f.computed_at for f in stored.values()]
    sorts = {**SORTS, **{n.lower().replace(" ", "-"): n for n in area_names}}
    return {
        "rows": rows,
        "areas": area_names,
        "sort": sort,
        "sorts": sorts,
        "sort_label": sorts.get(sort, ""),
        "oldest": min(computed) if computed else None,
        "newest": max(computed) if computed else None,
        "stale": sum(1 for f in stored.values() if f.stale_since is not None),
        "period_key": key,
        "labels": sorted({f.period_label for f in stored.values()}),
        "totals": totals,
        "on_roll": on_roll,
        "count": count,
        "page": page,
        "pages": pages,
        "previous_page": page - 1 if page and page > 1 else None,
        "next_page": page + 1 if page and page < pages else None,
    }


def trust_totals(rows: list[Row]) -> dict:
    """The trust-wide picture: how many schools are red, amber or green in each area."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        for area in row.areas:
            bucket = totals.setdefault(area.name, {"red": 0, "amber": 0, "green": 0})
            if area.reds:
                bucket["red"] += 1
            elif area.ambers:
                bucket["amber"] += 1
            elif any(c.rag == "green" for c in area.cells):
                bucket["green"] += 1
    return totals


def school_detail(*, school: School, period: tuple[datetime.date, datetime.date] | None = None) -> dict:
    """One school's aggregates for the trust lead's drill-down: the same cells, by area, with detail."""
    key = period_key(period)
    figures = SchoolFigures.objects.filter(school=school, period_key=key).first()
    if figures is None:
        refresh(school_ids=[school.pk], period=period)
        figures = SchoolFigures.objects.get(school=school, period_key=key)
    limits = thresholds_for(school.trust) if school.trust_id else {}
    return {"figures": figures, "areas": areas_of(figures.figures, limits)}

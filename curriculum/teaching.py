"""The online-safety curriculum: lessons logged, the coverage heatmap, and gaps raised by incidents.

The loop: an incident is reported -> (on commit) ``check_gaps`` counts the term's incidents per category
and year group -> where a count reaches the school's threshold, a ``Gap`` is raised on each strand the
category maps to -> logging a lesson on that strand for that year group closes it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from incidents.categories import Category
from incidents.models import IncidentPupil
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools.models import (
    YEAR_GROUP_ORDER,
    Pupil,
    PupilFlag,
    Term,
    YearGroup,
    academic_year_bounds,
    academic_year_of,
    flag_kinds_in,
)
from safeguarding_portal.schools.selectors import term_in_view

from .constants import DEFAULT_CATEGORY_STRANDS, DEFAULT_GAP_THRESHOLD, STRAND_ORDER, Strand
from .models import CategoryStrand, CurriculumSettings, Event, Gap, Lesson, LessonStrand, Unit

# --- Settings and the category map --------------------------------------------------------------------


def settings_for(*, school) -> CurriculumSettings:
    found = CurriculumSettings.objects.filter(school=school).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CurriculumSettings.objects.create(school=school, gap_threshold=DEFAULT_GAP_THRESHOLD)
    except IntegrityError:
        return CurriculumSettings.objects.get(school=school)


def category_map(*, school) -> dict[str, list[str]]:
    """Category -> strands, the school's own rows over the defaults. One query."""
    mapping = {c: list(s) for c, s in DEFAULT_CATEGORY_STRANDS.items()}
    for row in CategoryStrand.objects.filter(school=school):
        mapping[row.category] = [s for s in row.strands if s in Strand.values]
    return mapping


@transaction.atomic
def save_category_map(*, school, mapping: dict[str, list[str]], threshold: int) -> None:
    if not 1 <= threshold <= 50:
        raise ValidationError({"threshold": "Choose a threshold between 1 and 50."})
    for category, strands in mapping.items():
        if category not in Category.values or set(strands) - set(Strand.values):
            raise ValidationError("Unknown category or strand.")
        CategoryStrand.objects.update_or_create(
            school=school, category=category, defaults={"strands": sorted(strands, key=STRAND_ORDER.get)}
        )
    settings = settings_for(school=school)
    settings.gap_threshold = threshold
    settings.save(update_fields=["gap_threshold"])


# --- Year groups --------------------------------------------------------------------------------------


def year_groups(*, school) -> list[str]:
    """The school's year groups: those with pupils on roll, else those units are planned for. One query."""
    present = set(
        Pupil.objects.on_roll().filter(school=school).order_by().values_list("year_group", flat=True).distinct()
    )
    if not present:
        for groups in Unit.objects.filter(school=school).values_list("year_groups", flat=True):
            present |= set(groups)
    return sorted(present, key=YEAR_GROUP_ORDER.get)


# --- Lessons ------------------------------------------------------------------------------------------


@transaction.atomic
def log_lesson(
    *,
    school,
    taught_by,
    taught_on: datetime.date,
    year_group: str,
    strands: Iterable[str],
    unit: Unit | None = None,
    class_name: str = "",
    notes: str = "",
) -> tuple[Lesson, list[Gap]]:
    """Record a lesson and close the open gaps it answers. Returns the lesson and the gaps it closed."""
    strands = sorted(set(strands), key=STRAND_ORDER.get)
    if not strands:
        raise ValidationError({"strands": "Choose at least one strand the lesson covered."})
    if set(strands) - set(Strand.values):
        raise ValidationError({"strands": "Unknown strand."})
    if year_group not in YearGroup.values:
        raise ValidationError({"year_group": "Choose a year group."})
    if taught_on > timezone.localdate():
        raise ValidationError({"taught_on": "That date is in the future: log a lesson once it has been taught."})
    if unit is not None and unit.school_id != school.pk:
        raise ValidationError({"unit": "That unit belongs to another school."})
    lesson = Lesson.objects.create(
        school=school, taught_by=taught_by, taught_on=taught_on, year_group=year_group,
        class_name=class_name.strip(), unit=unit, notes=notes.strip(),
    )
    LessonStrand.objects.bulk_create([
        LessonStrand(lesson=lesson, school=school, year_group=year_group, taught_on=taught_on, strand=s)
        for s in strands
    ])
    closing = list(
        Gap.objects.select_for_update().filter(
            school=school, year_group=year_group, strand__in=strands, status=Gap.Status.OPEN
        )
    )
    for gap in closing:
        gap.status, gap.closed_on, gap.closed_by_lesson = Gap.Status.CLOSED, taught_on, lesson
        gap.save(update_fields=["status", "closed_on", "closed_by_lesson"])
    return lesson, closing


def lessons_by(*, school, user, limit: int = 20):
    return (
        Lesson.objects.filter(school=school, taught_by=user)
        .select_related("unit")
        .prefetch_related("strand_links")
        .order_by("-taught_on", "-pk")[:limit]
    )


# --- The heatmap --------------------------------------------------------------------------------------


@dataclass
class HeatCell:
    year_group: str
    strand: str
    lessons: int = 0
    gap: Gap | None = None

    @property
    def level(self) -> int:
        # 0: not taught this year; 1: once; 2: twice; 3: three times or more.
        return min(self.lessons, 3)


@dataclass
class Heatmap:
    academic_year: int
    year_groups: list[str]
    strands: list[str]
    cells: dict[tuple[str, str], HeatCell] = field(default_factory=dict)
    # With a flag group chosen: the group, and how many pupils on roll have such a flag today per year group
    # (the rows are then only those year groups).
    flag_group: str = ""
    flagged_pupils: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, list[HeatCell]]]:
        return [(yg, str(YearGroup(yg).label), [self.cells[(yg, s)] for s in self.strands]) for yg in self.year_groups]

    @property
    def untaught(self) -> int:
        return sum(1 for c in self.cells.values() if c.lessons == 0)

    @property
    def covered_percent(self) -> int | None:
        total = len(self.cells)
        return None if not total else round(100 * (total - self.untaught) / total)

    @property
    def open_gaps(self) -> int:
        return sum(1 for c in self.cells.values() if c.gap is not None)


def flagged_pupils_by_year_group(*, school, flag_group: str, on: datetime.date | None = None) -> dict[str, int]:
    """Pupils on roll with a flag of the group on ``on`` (today), per year group. One query; counts only."""
    flagged = PupilFlag.objects.current(on).filter(kind__in=flag_kinds_in(flag_group)).values("pupil_id")
    return dict(
        Pupil.objects.on_roll().filter(school=school, pk__in=flagged).order_by()
        .values_list("year_group").annotate(n=Count("pk"))
    )


def heatmap(*, school, academic_year: int | None = None, flag_group: str = "") -> Heatmap:
    """Year group x strand lesson counts for an academic year, with open gaps. Three queries at any size.

    With a flag group (the policy's online-safety education tailored to vulnerable pupils), the rows are the
    year groups of the pupils on roll who have such a flag today: what those pupils' year groups were taught."""
    year = academic_year if academic_year is not None else academic_year_of(timezone.localdate())
    starts, ends = academic_year_bounds(year)
    groups = year_groups(school=school)
    counts = (
        LessonStrand.objects.filter(school=school, taught_on__range=(starts, ends))
        .values("year_group", "strand")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = Heatmap(academic_year=year, year_groups=list(groups), strands=list(Strand.values))
    for yg in groups:
        for s in Strand.values:
            result.cells[(yg, s)] = HeatCell(yg, s)
    for row in counts:
        key = (row["year_group"], row["strand"])
        if key not in result.cells:  # lessons for a year group without pupils now: still show them
            result.year_groups.append(row["year_group"])
            for s in Strand.values:
                result.cells.setdefault((row["year_group"], s), HeatCell(row["year_group"], s))
        result.cells[key].lessons = row["n"]
    for gap in Gap.objects.filter(school=school, status=Gap.Status.OPEN):
        if (gap.year_group, gap.strand) not in result.cells:
            result.year_groups.append(gap.year_group)
            for s in Strand.values:
                result.cells.setdefault((gap.year_group, s), HeatCell(gap.year_group, s))
        result.cells[(gap.year_group, gap.strand)].gap = gap
    result.year_groups.sort(key=YEAR_GROUP_ORDER.get)
    if flag_group:
        result.flag_group = flag_group
        result.flagged_pupils = flagged_pupils_by_year_group(school=school, flag_group=flag_group)
        result.year_groups = [yg for yg in result.year_groups if result.flagged_pupils.get(yg)]
        result.cells = {key: cell for key, cell in result.cells.items() if result.flagged_pupils.get(key[0])}
    return result


# --- Gaps raised by incidents -------------------------------------------------------------------------


def incident_counts(
    *,
    school,
    starts: datetime.date,
    ends: datetime.date,
    categories: Iterable[str] | None = None,
    year_groups: Iterable[str] | None = None,
) -> dict[tuple[str, str], int]:
    """(category, year group) -> how many incidents involved a pupil of that year group. One query.

    An incident counts once per year group however many of its pupils were in it; the year group is the
    pupil's when it happened (IncidentPupil.year_group), so a gap's evidence does not move when pupils move
    up. Allegations about staff are not about pupils' learning and never count. ``categories`` and
    ``year_groups`` narrow the count to what one new report can change: the (school, category, occurred_at)
    index then reads only that category's incidents of the term.
    """
    since, until = day_bounds(starts, ends)
    rows = IncidentPupil.objects.current().filter(
        incident__school=school,
        incident__occurred_at__gte=since,
        incident__occurred_at__lt=until,
        incident__route="dsl",
    )
    if categories is not None:
        rows = rows.filter(incident__category__in=list(categories))
    if year_groups is not None:
        rows = rows.filter(year_group__in=list(year_groups))
    rows = rows.values("incident__category", "year_group").annotate(n=Count("incident_id", distinct=True)).order_by()
    return {(r["incident__category"], r["year_group"]): r["n"] for r in rows}


def _recipients(school) -> list:
    """Who hears that a gap was raised: the online safety lead(s), or the DSL if there is none."""
    members = list(
        Membership.objects.current()
        .filter(school=school, role__in=[Role.ONLINE_SAFETY_LEAD, Role.DSL])
        .select_related("user")
    )
    leads = [m.user for m in members if m.role == Role.ONLINE_SAFETY_LEAD]
    return leads or [m.user for m in members]


def _touched(*, school, incident_id: int, since: datetime.datetime, until: datetime.datetime) -> set[tuple[str, str]]:
    """(category, year group) pairs one incident counts towards this term: none for an allegation about staff,
    an incident outside the term or one without pupils. One query, by primary key."""
    return set(
        IncidentPupil.objects.current()
        .filter(incident_id=incident_id, incident__school=school, incident__route="dsl",
                incident__occurred_at__gte=since, incident__occurred_at__lt=until)
        .exclude(year_group="")
        .values_list("incident__category", "year_group")
        .distinct()
        .order_by()
    )


def check_gaps(*, school, on: datetime.date | None = None, incident_id: int | None = None) -> list[Gap]:
    """Raise the gaps the term's incidents call for. Idempotent: a gap is raised once a term per strand.

    With ``incident_id`` (the check after a report, or a pupil added to a case), only the strands that
    incident's category and year groups map to are looked at, and the term is counted only for those that
    have no gap yet: after a report this is usually two small queries and no count at all. Without it (the
    daily sweep, the mapping page), every category and year group is counted.
    """
    from safeguarding_portal.reminders.services import remind

    on = on or timezone.localdate()
    # Out of term, the term that ended last (term_in_view), so a run in its last week still counts.
    term = term_in_view(school=school, today=on).term
    if term is None:
        return []
    mapping = category_map(school=school)
    # A gap raised this term, or one still open from before, stops the same strand being raised again.
    blocked = set(
        Gap.objects.filter(Q(term=term) | Q(status=Gap.Status.OPEN), school=school)
        .values_list("year_group", "strand")
        .order_by()
    )
    if incident_id is not None:
        since, until = day_bounds(term.starts_on, term.ends_on)
        wanted = {
            (category, year_group)
            for category, year_group in _touched(school=school, incident_id=incident_id, since=since, until=until)
            if any((year_group, strand) not in blocked for strand in mapping.get(category, []))
        }
        if not wanted:
            return []
        threshold = settings_for(school=school).gap_threshold
        counts = incident_counts(
            school=school, starts=term.starts_on, ends=term.ends_on,
            categories={c for c, _ in wanted}, year_groups={yg for _, yg in wanted},
        )
        counts = {pair: n for pair, n in counts.items() if pair in wanted}
    else:
        threshold = settings_for(school=school).gap_threshold
        counts = incident_counts(school=school, starts=term.starts_on, ends=term.ends_on)
    raised: list[Gap] = []
    # Biggest runs first, so a strand two categories call for names the bigger one.
    for (category, year_group), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < threshold or not year_group:
            continue
        for strand in mapping.get(category, []):
            if (year_group, strand) in blocked:
                continue
            try:
                with transaction.atomic():
                    gap = Gap.objects.create(
                        school=school, term=term, year_group=year_group, strand=strand, category=category,
                        incident_count=n, threshold=threshold, raised_on=on,
                    )
            except IntegrityError:  # raised by a concurrent check
                continue
            blocked.add((year_group, strand))
            raised.append(gap)
    if raised:
        url = reverse("curriculum:gaps")
        for user in _recipients(school):
            for gap in raised:
                remind(
                    recipient_email=user.email, recipient_user=user, school=school, kind="curriculum.gap_raised",
                    key=f"gap:{gap.pk}", url=url, on=on,
                    text=f"Curriculum gap: {gap.get_year_group_display()} need teaching on "
                    f"{gap.get_strand_display().lower()} after {counted(gap.incident_count, 'incident')} this term.",
                )
    return raised


@dataclass
class GapEvidence:
    """Why a gap was raised, in counts only: by term and category, for that year group and strand."""

    gap: Gap
    categories: list[tuple[str, str]]  # (value, label) mapped to the strand
    terms: list[Term]
    table: list[tuple[str, list[int]]]  # category label, count per term
    lessons: list[Lesson]


def gap_evidence(*, gap: Gap) -> GapEvidence:
    school = gap.school
    mapping = category_map(school=school)
    categories = [(c, str(Category(c).label)) for c, strands in mapping.items() if gap.strand in strands]
    year = gap.term.academic_year
    terms = list(Term.objects.filter(school=school, academic_year=year).order_by("starts_on"))
    starts = terms[0].starts_on if terms else gap.term.starts_on
    ends = terms[-1].ends_on if terms else gap.term.ends_on
    since, until = day_bounds(starts, ends)
    rows = (
        IncidentPupil.objects.current().filter(
            incident__school=school, incident__route="dsl", year_group=gap.year_group,
            incident__category__in=[c for c, _ in categories],
            incident__occurred_at__gte=since, incident__occurred_at__lt=until,
        )
        .values("incident__category", "incident_id", "incident__occurred_at")
        .distinct()
        .order_by()
    )
    per: dict[str, list[int]] = defaultdict(lambda: [0] * len(terms))
    for r in rows:
        day = timezone.localtime(r["incident__occurred_at"]).date()
        for i, term in enumerate(terms):
            if term.starts_on <= day <= term.ends_on:
                per[r["incident__category"]][i] += 1
    table = [(label, per[c]) for c, label in categories if c in per]
    lessons = list(
        Lesson.objects.filter(school=school, year_group=gap.year_group, strand_links__strand=gap.strand,
                              taught_on__gte=starts)
        .select_related("taught_by", "unit")
        .order_by("-taught_on")[:10]
    )
    return GapEvidence(gap=gap, categories=categories, terms=terms, table=table, lessons=lessons)


# --- Events -------------------------------------------------------------------------------------------


def events(*, school, academic_year: int | None = None):
    year = academic_year if academic_year is not None else academic_year_of(timezone.localdate())
    starts, ends = academic_year_bounds(year)
    return Event.objects.filter(school=school, held_on__range=(starts, ends)).order_by("-held_on")

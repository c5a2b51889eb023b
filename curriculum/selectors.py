"""Curriculum reads: training state and the matrix, lessons, the heatmap, gaps, events, the policy register
and the trust's standards. A fixed number of queries whatever the size of the school."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max
from django.utils import timezone

from incidents.categories import Category
from incidents.models import IncidentPupil
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.schools.models import (
    YEAR_GROUP_ORDER,
    Pupil,
    PupilFlag,
    School,
    Term,
    academic_year_bounds,
    academic_year_of,
    flag_kinds_in,
)

# A module import, as services imports this one: either may be imported first.
from . import services
from .constants import DEFAULT_CATEGORY_STRANDS, DEFAULT_GAP_THRESHOLD, TRAINED_ROLES, Strand
from .models import (
    BriefingSession,
    CategoryStrand,
    CurriculumSettings,
    Event,
    Gap,
    Lesson,
    LessonStrand,
    Policy,
    TrainingRecord,
    TrainingRequirement,
    TrustTrainingStandard,
    Unit,
)
from .register import review_state
from .standards import Adoption, differences, states
from .teaching import GapEvidence, HeatCell, Heatmap
from .training import Matrix, Person, PersonRow, rows_for


def requirements(*, school, active_only: bool = True) -> list[TrainingRequirement]:
    # The KCSiE defaults the first time anyone looks (services.requirements_ensure_defaults is idempotent).
    services.requirements_ensure_defaults(school=school)
    qs = TrainingRequirement.objects.filter(school=school)
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.order_by("order", "name"))


def trained_people(*, school, today: datetime.date) -> dict[int, tuple[Person, list[str], str]]:
    """Everyone who works at the school today: user id -> (person, roles, job title). One query."""
    people: dict[int, tuple[Person, list[str], str]] = {}
    rows = (
        Membership.objects.current(on=today)
        .filter(school=school, role__in=TRAINED_ROLES, user__is_active=True)
        .order_by("user__full_name", "user__email", "role")
        .values_list("user_id", "user__full_name", "user__email", "role", "job_title")
    )
    for user_id, full_name, email, role, job_title in rows:
        person, roles, title = people.get(user_id, (Person(user_id, full_name, email), [], job_title))
        roles.append(role)
        people[user_id] = (person, roles, title or job_title)
    return people


def last_done_by(
    *, school_ids: Iterable[int], user_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], datetime.date]:
    """(user id, requirement id) -> the latest completion date. One query whatever the number of records."""
    qs = TrainingRecord.objects.filter(school_id__in=list(school_ids))
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    rows = qs.values("user_id", "requirement_id").annotate(last=Max("completed_on")).order_by()
    return {(r["user_id"], r["requirement_id"]): r["last"] for r in rows}


def matrix(*, school, today: datetime.date | None = None, state: str = "", role: str = "") -> Matrix:
    """People x requirements. Four queries whatever the size of the staff (see the bench)."""
    today = today or timezone.localdate()
    reqs = requirements(school=school)
    people = trained_people(school=school, today=today)
    rows = rows_for(people=people, reqs=reqs, last=last_done_by(school_ids=[school.pk]), today=today)
    if role:
        rows = [r for r in rows if role in r.roles]
    if state:
        rows = [r for r in rows if any(c.state == state for c in r.cells)]
    return Matrix(requirements=reqs, rows=rows, today=today)


def person_row(*, school, user: User, today: datetime.date | None = None) -> PersonRow | None:
    today = today or timezone.localdate()
    people = {k: v for k, v in trained_people(school=school, today=today).items() if k == user.pk}
    if not people:
        return None
    reqs = requirements(school=school)
    return rows_for(
        people=people, reqs=reqs, last=last_done_by(school_ids=[school.pk], user_ids=[user.pk]), today=today
    )[0]


def records_of(*, school, user: User):
    return (
        TrainingRecord.objects.filter(school=school, user=user)
        .select_related("requirement", "briefing", "recorded_by")
        .order_by("-completed_on", "-pk")
    )


def is_trained_member(*, school, user_id: int) -> bool:
    return Membership.objects.current().filter(school=school, user_id=user_id, role__in=TRAINED_ROLES).exists()


def category_map(*, school) -> dict[str, list[str]]:
    """Category -> strands, the school's own rows over the defaults. One query."""
    mapping = {c: list(s) for c, s in DEFAULT_CATEGORY_STRANDS.items()}
    for row in CategoryStrand.objects.filter(school=school):
        mapping[row.category] = [s for s in row.strands if s in Strand.values]
    return mapping


def year_groups(*, school) -> list[str]:
    """The school's year groups: those with pupils on roll, else those units are planned for. One query."""
    present = set(
        Pupil.objects.on_roll().filter(school=school).order_by().values_list("year_group", flat=True).distinct()
    )
    if not present:
        for groups in Unit.objects.filter(school=school).values_list("year_groups", flat=True):
            present |= set(groups)
    return sorted(present, key=YEAR_GROUP_ORDER.get)


def lessons_by(*, school, user, limit: int = 20):
    return (
        Lesson.objects.filter(school=school, taught_by=user)
        .select_related("unit")
        .prefetch_related("strand_links")
        .order_by("-taught_on", "-pk")[:limit]
    )


def flagged_pupils_by_year_group(*, school, flag_group: str, on: datetime.date | None = None) -> dict[str, int]:
    """Pupils on roll with a flag of the group on ``on`` (today), per year group. One query; counts only."""
    flagged = PupilFlag.objects.current(on).filter(kind__in=flag_kinds_in(flag_group)).values("pupil_id")
    return dict(
        Pupil.objects.on_roll()
        .filter(school=school, pk__in=flagged)
        .order_by()
        .values_list("year_group")
        .annotate(n=Count("pk"))
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


def incident_touches(
    *, school, incident_id: int, since: datetime.datetime, until: datetime.datetime
) -> set[tuple[str, str]]:
    """(category, year group) pairs one incident counts towards this term: none for an allegation about staff,
    an incident outside the term or one without pupils. One query, by primary key."""
    return set(
        IncidentPupil.objects.current()
        .filter(
            incident_id=incident_id,
            incident__school=school,
            incident__route="dsl",
            incident__occurred_at__gte=since,
            incident__occurred_at__lt=until,
        )
        .exclude(year_group="")
        .values_list("incident__category", "year_group")
        .distinct()
        .order_by()
    )


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
        IncidentPupil.objects.current()
        .filter(
            incident__school=school,
            incident__route="dsl",
            year_group=gap.year_group,
            incident__category__in=[c for c, _ in categories],
            incident__occurred_at__gte=since,
            incident__occurred_at__lt=until,
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
        Lesson.objects.filter(
            school=school, year_group=gap.year_group, strand_links__strand=gap.strand, taught_on__gte=starts
        )
        .select_related("taught_by", "unit")
        .order_by("-taught_on")[:10]
    )
    return GapEvidence(gap=gap, categories=categories, terms=terms, table=table, lessons=lessons)


def events(*, school, academic_year: int | None = None):
    year = academic_year if academic_year is not None else academic_year_of(timezone.localdate())
    starts, ends = academic_year_bounds(year)
    return Event.objects.filter(school=school, held_on__range=(starts, ends)).order_by("-held_on")


def policy_register(*, school, today: datetime.date | None = None) -> list[tuple[Policy, str]]:
    today = today or timezone.localdate()
    policies = Policy.objects.filter(school=school).select_related("responsible").order_by("title")
    return sorted(((p, review_state(p, today=today)) for p in policies), key=lambda pair: pair[0].next_review_due)


def _adoptions(standards: list[TrustTrainingStandard], school_ids: list[int]) -> dict[tuple[int, int], Adoption]:
    taken = {
        (r.school_id, r.trust_standard_id): r
        for r in TrainingRequirement.objects.filter(school_id__in=school_ids, trust_standard__in=standards)
    }
    found = {}
    for sid in school_ids:
        for standard in standards:
            req = taken.get((sid, standard.pk))
            found[(sid, standard.pk)] = Adoption(
                standard, req, states(standard, req), differences(standard, req) if req else []
            )
    return found


def trust_view(*, trust) -> dict:
    """Each standard with each school's state: which differ, which are behind. Three queries."""
    standards = list(TrustTrainingStandard.objects.filter(trust=trust).order_by("name"))
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    adoptions = _adoptions(standards, [s.pk for s in schools])
    rows = [
        {
            "standard": st,
            "cells": [(school, adoptions[(school.pk, st.pk)]) for school in schools],
            "behind": sum("behind" in adoptions[(s.pk, st.pk)].states for s in schools),
            "differs": sum("differs" in adoptions[(s.pk, st.pk)].states for s in schools),
            "not_adopted": sum("not_adopted" in adoptions[(s.pk, st.pk)].states for s in schools),
        }
        for st in standards
    ]
    return {"standards": standards, "schools": schools, "rows": rows}


def school_view(*, school: School) -> list[Adoption]:
    if not school.trust_id:
        return []
    standards = list(TrustTrainingStandard.objects.filter(trust_id=school.trust_id).order_by("name"))
    adoptions = _adoptions(standards, [school.pk])
    return [adoptions[(school.pk, st.pk)] for st in standards]


# --- What the pages list -----------------------------------------------------------------------------------


def gap_threshold(*, school) -> int:
    """The school's threshold for raising a gap (the default until it saves its own). One query."""
    found = CurriculumSettings.objects.filter(school=school).values_list("gap_threshold", flat=True).first()
    return DEFAULT_GAP_THRESHOLD if found is None else found


def open_gap_count(*, school) -> int:
    return Gap.objects.filter(school=school, status=Gap.Status.OPEN).count()


def gaps(*, school):
    return Gap.objects.filter(school=school).select_related("term").order_by("status", "-raised_on")


def units(*, school):
    return Unit.objects.filter(school=school).order_by("-active", "title")


def requirement_by_key(*, school, key: str) -> TrainingRequirement | None:
    return TrainingRequirement.objects.filter(school=school, key=key).first()


def briefing_attendance(*, session: BriefingSession):
    return session.attendance.select_related("user").order_by("user__full_name")

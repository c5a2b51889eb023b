"""Reads about schools and people. Every function takes the school it is scoped to."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role

from .calendar import academic_year_label, academic_year_of
from .models import (
    YEAR_GROUP_ORDER,
    Guardian,
    Pupil,
    PupilFlag,
    SafeguardingContact,
    School,
    Term,
    Trust,
    VulnerabilityFlag,
)
from .search import name_filter


def emergency_contacts(*, school: School) -> list[SafeguardingContact]:
    order = list(SafeguardingContact.Kind.values)
    return sorted(school.contacts.all(), key=lambda c: (order.index(c.kind), c.name))


def safeguarding_team(*, school: School) -> list[Membership]:
    team = (
        Membership.objects.current()
        .filter(school=school, role__in=[Role.DSL, Role.DEPUTY_DSL])
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    return list(team)


def pupils(*, school: School, query: str = "", year_group: str = "", include_left: bool = False) -> QuerySet[Pupil]:
    qs = Pupil.objects.filter(school=school)
    if not include_left:
        qs = qs.on_roll()
    if year_group:
        qs = qs.filter(year_group=year_group)
    # Any of their names in either order, accents and apostrophes or not, or the UPN (schools.search).
    names = name_filter(query)
    if names is not None:
        qs = qs.filter(names)
    return qs.order_by("surname", "legal_forename")


def search_pupils(*, school: School, query: str, limit: int = 10) -> list[Pupil]:
    """Type-ahead for the report form: names, year and class only."""
    if len(query.strip()) < 2:
        return []
    return list(
        pupils(school=school, query=query).only(
            "id", "legal_forename", "preferred_forename", "surname", "year_group", "registration_group"
        )[:limit]
    )


def pupil_with_guardians(*, school: School, pupil_id: int) -> Pupil:
    return Pupil.objects.filter(school=school).prefetch_related("guardian_links__guardian").get(pk=pupil_id)


def staff(*, school: School) -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .filter(school=school)
        .exclude(role=Role.PARENT)
        .select_related("user")
        .order_by("user__full_name", "role")
    )


def staff_users(*, school: School) -> QuerySet:
    """The school's staff and governors as active users, by name (for "who" choices: owners, officers)."""
    ids = Membership.objects.current().filter(school=school).exclude(role=Role.PARENT).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")


def children_of(*, user, school: School | None) -> list[Pupil]:
    if school is None or not user.is_authenticated:
        return []
    return list(
        Pupil.objects.filter(school=school, guardian_links__guardian__user=user)
        .on_roll()
        .distinct()
        .order_by("legal_forename")
    )


def guardians(*, school: School) -> QuerySet[Guardian]:
    return Guardian.objects.filter(school=school)


def school_counts(*, school: School) -> dict[str, int]:
    on_roll = Pupil.objects.filter(school=school).on_roll()
    return {
        "pupils": on_roll.count(),
        "guardians": Guardian.objects.filter(school=school).count(),
        "staff": staff(school=school).values("user").distinct().count(),
    }


def year_group_counts(*, school: School) -> list[tuple[str, str, int]]:
    rows = Pupil.objects.filter(school=school).on_roll().values("year_group").annotate(n=Count("id"))
    labels = dict(Pupil._meta.get_field("year_group").choices)
    return sorted(
        ((r["year_group"], labels[r["year_group"]], r["n"]) for r in rows), key=lambda r: YEAR_GROUP_ORDER[r[0]]
    )


def trust_overview(*, trust: Trust) -> list[dict]:
    """Aggregates only: no name of any pupil or member of staff crosses a school boundary here.

    One grouped count over the pupil index, not a join per school: 500 schools stay one cheap query.
    """
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    on_roll = dict(
        Pupil.objects.filter(school__trust=trust, left_on__isnull=True)
        .values_list("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    return [{"school": s, "pupils_on_roll": on_roll.get(s.pk, 0)} for s in schools]


# --- The school year: which term a page is about, on any day --------------------------------------------

HOLIDAY_AFTER = {
    Term.Name.AUTUMN: "Christmas holiday",
    Term.Name.SPRING: "Easter holiday",
    Term.Name.SUMMER: "Summer holiday",
}
NO_TERM_WEEKS = 13


@dataclass(frozen=True)
class TermInView:
    """The term a page shows on ``today``, and plain words for why.

    In term, the current term. Out of term (a holiday, or a new school year whose dates nobody has entered
    yet) the term that ended last, so figures still mean something. With no term that has started, no term:
    callers then show the last ``NO_TERM_WEEKS`` weeks, and ``note`` says so. ``missing_year`` names an
    academic year whose term dates should be entered by now (the coming year from July onward, the current
    year once it has begun), so the DSL and headteacher are asked for them.
    """

    today: datetime.date
    term: Term | None
    in_term: bool
    note: str
    missing_year: int | None

    @property
    def missing_label(self) -> str:
        return academic_year_label(self.missing_year) if self.missing_year is not None else ""

    def window(self) -> tuple[datetime.date, datetime.date]:
        """The dates a "this term" figure covers: the current term; out of term the term that ended last
        and the days since (a concern raised in the holiday still counts somewhere); with no term, the last
        13 weeks to today."""
        if self.term is not None:
            return self.term.starts_on, max(self.term.ends_on, self.today)
        return self.today - datetime.timedelta(weeks=NO_TERM_WEEKS), self.today


def term_dates_due_for(today: datetime.date) -> int:
    """The academic year whose term dates a school should have entered by ``today``: the coming year
    from July onward (it starts in weeks), otherwise the year ``today`` is in."""
    return academic_year_of(today) + (1 if today.month == 7 else 0)


def schools_missing_term_dates(*, today: datetime.date) -> QuerySet[School]:
    """Schools without any term of the year ``term_dates_due_for(today)``: one query for every school."""
    year = term_dates_due_for(today)
    return School.objects.exclude(pk__in=Term.objects.filter(academic_year=year).values("school_id"))


def term_in_view(*, school: School, today: datetime.date | None = None) -> TermInView:
    today = today or timezone.localdate()
    # One query: every term that has started, newest first, and whether the year to check has any terms.
    started = list(Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on")[:1])
    year_to_check = term_dates_due_for(today)
    has_year = Term.objects.filter(school=school, academic_year=year_to_check).exists()
    missing = None if has_year else year_to_check
    if not started:
        note = (
            f"No term dates entered: showing the last {NO_TERM_WEEKS} weeks"
            if missing is not None
            else f"Before the first term: showing the last {NO_TERM_WEEKS} weeks"
        )
        return TermInView(today, None, False, note, missing)
    term = started[0]
    if term.ends_on >= today:
        return TermInView(today, term, True, str(term), missing)
    showing = f"showing the {term.get_name_display().lower()} term {term.academic_year_label} and the days since"
    if missing is not None and academic_year_of(today) > term.academic_year:
        note = f"Term dates for {academic_year_label(missing)} are missing: {showing}"
    else:
        note = f"{HOLIDAY_AFTER[term.name]}: {showing}"
    return TermInView(today, term, False, note, missing)


def pupil_flags(*, school: School, pupil: Pupil) -> list[PupilFlag]:
    """Every period of every flag of the pupil, current first. For the DSL team only (the view's rule)."""
    return list(PupilFlag.objects.filter(pupil=pupil, pupil__school=school).order_by("kind", "-starts_on"))


def current_flags(*, school: School, pupil_ids, on: datetime.date | None = None) -> dict[int, list[PupilFlag]]:
    """The flags each pupil has on ``on`` (today), by pupil id, in the order of VulnerabilityFlag."""
    order = {kind: index for index, kind in enumerate(VulnerabilityFlag.values)}
    found: dict[int, list[PupilFlag]] = {}
    for flag in PupilFlag.objects.current(on).filter(pupil__school=school, pupil_id__in=list(pupil_ids)):
        found.setdefault(flag.pupil_id, []).append(flag)
    for flags in found.values():
        flags.sort(key=lambda f: order[f.kind])
    return found

"""Reads about schools and people. Every function takes the school it is scoped to."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role

from .models import YEAR_GROUP_ORDER, Guardian, Pupil, SafeguardingContact, School, Trust


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
    for term in query.split():
        qs = qs.filter(
            Q(legal_forename__istartswith=term)
            | Q(preferred_forename__istartswith=term)
            | Q(surname__istartswith=term)
            | Q(upn__iexact=term)
        )
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
    from safeguarding_portal.accounts.models import User

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

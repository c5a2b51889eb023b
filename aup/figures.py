"""Agreement coverage as every surface shows it (the office's home panel, the governor report, the trust
report): for one school or a whole trust in a handful of grouped queries.

Coverage counts the people there now: children on roll (not those who have left), staff and governors who
hold a current role. A signature counts when it is of the agreement's current version or a later one
(``Agreement.current_from``), online or on paper. A campaign's progress (selectors.campaign_progress) counts
a different population, the children that campaign asked for, and is labelled as such wherever shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import STAFF_ROLES, Role
from safeguarding_portal.reports.figures import (
    Column,
    Measure,
    as_percent,
    rag_percent,
    refresh_on,
    school_measures,
    trust_columns,
)
from safeguarding_portal.schools.models import Pupil

from .models import PUPIL_AUDIENCES, YOUNGER_YEAR_GROUPS, Audience, Consent, Signature, SignMethod

COUNTED = (Audience.STAFF, Audience.GOVERNOR, Audience.PARENT, Audience.PUPIL_YOUNGER, Audience.PUPIL_OLDER)
# Counts of children could identify one; counts of adults (staff, governors) do not.
CHILD_AUDIENCES = frozenset({Audience.PARENT, *PUPIL_AUDIENCES})


@dataclass(frozen=True)
class Coverage:
    signed: int = 0
    total: int = 0
    on_paper: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.signed / self.total) if self.total else None


def agreement_coverage(*, school_ids: Iterable[int]) -> dict[int, dict[str, Coverage]]:
    ids = list(school_ids)
    current = Signature.objects.filter(school_id__in=ids, version__number__gte=F("version__agreement__current_from"))
    children = dict(
        ((sid, audience), (n, paper))
        for sid, audience, n, paper in current.filter(
            pupil__isnull=False, pupil__left_on__isnull=True, audience__in=list(CHILD_AUDIENCES)
        )
        .values_list("school_id", "audience")
        .annotate(
            n=Count("pupil", distinct=True), paper=Count("pupil", distinct=True, filter=Q(method=SignMethod.PAPER))
        )
        .order_by()
    )
    members = Membership.objects.current().filter(school_id__in=ids)
    staff_ids = members.filter(role__in=list(STAFF_ROLES)).values("user_id")
    governor_ids = members.filter(role=Role.GOVERNOR).values("user_id")
    adults = dict(
        ((sid, audience), n)
        for sid, audience, n in current.filter(
            Q(audience=Audience.STAFF, user_id__in=staff_ids) | Q(audience=Audience.GOVERNOR, user_id__in=governor_ids)
        )
        .values_list("school_id", "audience")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    staff_total = dict(
        members.filter(role__in=list(STAFF_ROLES))
        .values_list("school_id")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    governor_total = dict(
        members.filter(role=Role.GOVERNOR).values_list("school_id").annotate(n=Count("user", distinct=True)).order_by()
    )
    on_roll = {
        r["school_id"]: r
        for r in Pupil.objects.filter(school_id__in=ids, left_on__isnull=True)
        .values("school_id")
        .annotate(all=Count("pk"), younger=Count("pk", filter=Q(year_group__in=YOUNGER_YEAR_GROUPS)))
        .order_by()
    }
    result: dict[int, dict[str, Coverage]] = {}
    for sid in ids:
        roll = on_roll.get(sid, {"all": 0, "younger": 0})
        totals = {
            Audience.STAFF: staff_total.get(sid, 0),
            Audience.GOVERNOR: governor_total.get(sid, 0),
            Audience.PARENT: roll["all"],
            Audience.PUPIL_YOUNGER: roll["younger"],
            Audience.PUPIL_OLDER: roll["all"] - roll["younger"],
        }
        row = {}
        for audience in COUNTED:
            if audience in CHILD_AUDIENCES:
                n, paper = children.get((sid, audience), (0, 0))
            else:
                n, paper = adults.get((sid, audience), 0), 0
            row[audience] = Coverage(n, totals[audience], paper)
        result[sid] = row
    return result


@trust_columns(order=20)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    coverage = agreement_coverage(school_ids=school_ids)
    parents = {sid: c[Audience.PARENT].percent for sid, c in coverage.items()}
    staff = {sid: c[Audience.STAFF].percent for sid, c in coverage.items()}
    return [
        Column(
            "parents_agreements",
            "Parents' agreements (children on roll)",
            {sid: as_percent(p) for sid, p in parents.items()},
            {sid: rag_percent(p) for sid, p in parents.items()},
        ),
        Column(
            "staff_agreements",
            "Staff agreements",
            {sid: as_percent(p) for sid, p in staff.items()},
            {sid: rag_percent(p) for sid, p in staff.items()},
        ),
    ]


def consent_coverage(*, school_ids: Iterable[int]) -> dict[int, Coverage]:
    """Children on roll whose photo consents have been answered (given or not), of all children on roll."""
    ids = list(school_ids)
    answered = dict(
        Consent.objects.filter(school_id__in=ids, pupil__left_on__isnull=True)
        .values_list("school_id")
        .annotate(n=Count("pupil", distinct=True))
        .order_by()
    )
    on_roll = dict(
        Pupil.objects.filter(school_id__in=ids, left_on__isnull=True)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {sid: Coverage(answered.get(sid, 0), on_roll.get(sid, 0)) for sid in ids}


refresh_on(Signature, Consent, Membership, Pupil)


@school_measures(order=20)
def _measures(*, school_ids, start, end, today, previous) -> list[Measure]:
    coverage = agreement_coverage(school_ids=school_ids)
    consents = consent_coverage(school_ids=school_ids)
    area = "Agreements"

    def pct(audience):
        return {sid: c[audience].percent for sid, c in coverage.items()}

    return [
        Measure(
            "parents_agreements",
            "Parents' agreements (children on roll)",
            area,
            pct(Audience.PARENT),
            kind="percent",
            higher_is_better=True,
            amber=95,
            red=75,
        ),
        Measure(
            "staff_agreements",
            "Staff agreements",
            area,
            pct(Audience.STAFF),
            kind="percent",
            higher_is_better=True,
            amber=95,
            red=75,
        ),
        Measure(
            "photo_consent",
            "Photo consent answered (children on roll)",
            area,
            {sid: c.percent for sid, c in consents.items()},
            kind="percent",
            higher_is_better=True,
            amber=95,
            red=75,
        ),
    ]

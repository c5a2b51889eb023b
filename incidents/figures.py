"""The concerns figures every surface shows (home page, governor report, trust report): one place that
counts them, for one school or a whole trust in the same few grouped queries.

Only pupils' concerns (the DSL route) are counted, as everywhere a figure leaves the DSL team; allegations
about staff are one separate count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.reports.figures import Measure, refresh_on, school_measures
from safeguarding_portal.reports.privacy import small_count
from safeguarding_portal.schools.models import FLAG_GROUP_OF, FlagGroup

from .categories import FOUR_C, FourC
from .models import (
    Agency,
    CPFileTransfer,
    EntryKind,
    Incident,
    IncidentPupil,
    Moderation,
    Route,
    Status,
    TimelineEntry,
)

ACK_TARGET_HOURS = 24


@dataclass(frozen=True)
class ConcernFigures:
    total: int = 0  # pupils' concerns reported in the period
    urgent: int = 0
    acknowledged_in_time: int = 0  # within ACK_TARGET_HOURS of being reported
    open_at_end: int = 0  # reported before the period ended and not closed by then
    referrals: int = 0  # referrals to agencies recorded in the period
    allegations: int = 0  # allegations about staff reported in the period

    @property
    def ack_percent(self) -> int | None:
        return round(100 * self.acknowledged_in_time / self.total) if self.total else None


def concerns(prefix: str = "") -> Q:
    """The pupils' concerns every figure counts: the DSL team's cases, but not a pupil-raised report the team
    dismissed as spam or abuse (it stays a case record; it is not a concern). The one definition the home
    page, the governor report, trends and the trust report count with; ``prefix`` reaches it through a relation
    ("incident__")."""
    return Q(**{f"{prefix}route": Route.DSL}) & ~Q(**{f"{prefix}moderation": Moderation.DISMISSED})


def concern_figures(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, ConcernFigures]:
    ids = list(school_ids)
    t_from, t_to = day_bounds(start, end)
    in_period = Q(reported_at__gte=t_from, reported_at__lt=t_to)
    dsl = concerns()
    deadline = ExpressionWrapper(
        F("reported_at") + datetime.timedelta(hours=ACK_TARGET_HOURS), output_field=DateTimeField()
    )
    rows = (
        Incident.objects.filter(school_id__in=ids)
        .values("school_id")
        .annotate(
            total=Count("pk", filter=dsl & in_period),
            urgent=Count("pk", filter=dsl & in_period & Q(immediate_risk=True)),
            acknowledged_in_time=Count(
                "pk", filter=dsl & in_period & Q(acknowledged_at__isnull=False, acknowledged_at__lte=deadline)
            ),
            open_at_end=Count(
                "pk", filter=dsl & Q(reported_at__lt=t_to) & (Q(closed_at__isnull=True) | Q(closed_at__gte=t_to))
            ),
            # A pupil's report about an adult at school the head dismissed is no more an allegation than a
            # dismissed one about pupils is a concern.
            allegations=Count("pk", filter=~Q(route=Route.DSL) & ~Q(moderation=Moderation.DISMISSED) & in_period),
        )
        .order_by()
    )
    referrals = dict(
        TimelineEntry.objects.filter(
            concerns("incident__"), school_id__in=ids, kind=EntryKind.REFERRAL, at__gte=t_from, at__lt=t_to
        )
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {r.pop("school_id"): r for r in rows}
    return {sid: ConcernFigures(**found.get(sid, {}), referrals=referrals.get(sid, 0)) for sid in ids}


@dataclass(frozen=True)
class CaseQueues:
    """Pupils' cases as they stand today, as the DSL dashboard's queues count them."""

    unacknowledged: int = 0
    urgent_open: int = 0
    urgent_unacknowledged: int = 0
    overdue_actions: int = 0  # open cases with an action past its due date
    cp_awaiting: int = 0  # CP files sent to a new school and not yet confirmed
    cp_overdue: int = 0  # ... past the five school days


def leavers_only() -> Q:
    """Cases whose pupils have all left the school (each pupil on the case now has ``left_on`` set): kept, read
    and acted on by the DSL team, but out of the everyday queues. A case with no pupil is never one."""
    on_case = IncidentPupil.objects.filter(incident=OuterRef("pk"), removed_entry__isnull=True)
    return Q(Exists(on_case)) & ~Q(Exists(on_case.filter(pupil__left_on__isnull=True)))


def queue_rules(today: datetime.date) -> dict[str, Q]:
    """Which cases each of the DSL dashboard's queues holds (but "mine", which depends on who is asking): the
    one definition the dashboard's badges and lists, the home page and the trust's figures all count by.
    Still-open queues never hold closed cases, but for one: a closed case whose required step a correction
    opened again after it closed is work still to do, so it is in "Required steps still open"."""
    not_closed = ~Q(status=Status.CLOSED)
    # Since closing, not just ever: a case closed before steps were enforced has steps open but none reopened.
    reopened_since_closing = Exists(
        TimelineEntry.objects.filter(
            incident=OuterRef("pk"), kind=EntryKind.STEP_REOPENED, at__gte=OuterRef("closed_at")
        )
    )
    # Pupils who have left are out of the everyday queues (their cases have their own queue), but for urgent
    # ones: a child at immediate risk is chased whether or not they are still on roll.
    on_roll = ~leavers_only()
    return {
        "unacknowledged": Q(acknowledged_at__isnull=True) & on_roll,
        "urgent": Q(immediate_risk=True) & not_closed,
        "overdue": Q(next_task_due_on__lt=today) & not_closed & on_roll,
        "awaiting_agency": Q(status=Status.AWAITING_AGENCY) & on_roll,
        # New cases have every step open: the queue is for cases someone has picked up.
        "steps_open": Q(open_mandatory_steps__gt=0)
        & on_roll
        & (~Q(status__in=[Status.REPORTED, Status.CLOSED]) | (Q(status=Status.CLOSED) & Q(reopened_since_closing))),
        "open": not_closed & on_roll,
        "leavers": not_closed & leavers_only(),
        "closed": Q(status=Status.CLOSED),
    }


def case_queues(*, school_ids: Iterable[int], today: datetime.date) -> dict[int, CaseQueues]:
    ids = list(school_ids)
    rules = queue_rules(today)
    rows = (
        Incident.objects.filter(school_id__in=ids, route=Route.DSL)
        .values("school_id")
        .annotate(
            unacknowledged=Count("pk", filter=rules["unacknowledged"]),
            urgent_open=Count("pk", filter=rules["urgent"]),
            urgent_unacknowledged=Count("pk", filter=rules["urgent"] & rules["unacknowledged"]),
            overdue_actions=Count("pk", filter=rules["overdue"]),
        )
        .order_by()
    )
    found = {r.pop("school_id"): r for r in rows}
    awaiting = Q(sent_at__isnull=False, confirmed_at__isnull=True)
    files = {
        r.pop("school_id"): r
        for r in CPFileTransfer.objects.filter(school_id__in=ids)
        .values("school_id")
        .annotate(
            cp_awaiting=Count("pk", filter=awaiting), cp_overdue=Count("pk", filter=awaiting & Q(confirm_by__lt=today))
        )
        .order_by()
    }
    return {sid: CaseQueues(**found.get(sid, {}), **files.get(sid, {})) for sid in ids}


def referrals_by_agency(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, dict[str, int]]:
    """Referrals recorded in the period per agency (labels), the same entries ``concern_figures`` counts."""
    ids = list(school_ids)
    t_from, t_to = day_bounds(start, end)
    labels = dict(Agency.choices)
    found: dict[int, dict[str, int]] = {sid: {} for sid in ids}
    for sid, agency, n in (
        TimelineEntry.objects.filter(
            concerns("incident__"), school_id__in=ids, kind=EntryKind.REFERRAL, at__gte=t_from, at__lt=t_to
        )
        .values_list("school_id", "data__agency")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        label = labels.get(agency, "Other")
        found[sid][label] = found[sid].get(label, 0) + n
    return found


def four_c_counts(*, school_ids: Iterable[int], start: datetime.date, end: datetime.date) -> dict[int, dict[str, int]]:
    """Pupils' concerns reported in the period by the 4 Cs (the trust report's and trends' grouping)."""
    ids = list(school_ids)
    t_from, t_to = day_bounds(start, end)
    found = {sid: {fc.label: 0 for fc in FourC} for sid in ids}
    for sid, category, n in (
        Incident.objects.filter(concerns(), school_id__in=ids, reported_at__gte=t_from, reported_at__lt=t_to)
        .values_list("school_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        label = FourC(FOUR_C[category]).label
        found[sid][label] += n
    return found


def flag_group_counts(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, dict[str, int]]:
    """Pupils' concerns reported in the period with a pupil on the case who had a flag of the group on the day
    it was reported, per school and FlagGroup (every group listed, 0 too). A concern about a looked-after child
    with an EHCP counts once in each of the two groups. The one count of concerns per flag group: the governor
    report and trends read it here, and show 1 and 2 as "fewer than 3" (reports.privacy.small_count)."""
    ids = list(school_ids)
    t_from, t_to = day_bounds(start, end)
    found: dict[int, dict[str, set[int]]] = {sid: {g: set() for g in FlagGroup.values} for sid in ids}
    rows = (
        IncidentPupil.objects.current()
        .filter(
            concerns("incident__"),
            incident__school_id__in=ids,
            incident__reported_at__gte=t_from,
            incident__reported_at__lt=t_to,
            pupil__flags__isnull=False,
        )
        .values_list(
            "incident__school_id",
            "incident_id",
            "incident__reported_at",
            "pupil__flags__kind",
            "pupil__flags__starts_on",
            "pupil__flags__ends_on",
        )
    )
    for sid, incident_id, reported_at, kind, starts_on, ends_on in rows:
        day = timezone.localdate(reported_at)
        if starts_on <= day and (ends_on is None or ends_on >= day):
            found[sid][FLAG_GROUP_OF[kind]].add(incident_id)
    return {sid: {group: len(incidents) for group, incidents in groups.items()} for sid, groups in found.items()}


refresh_on(Incident, TimelineEntry, CPFileTransfer)


@school_measures(order=10)
def _measures(*, school_ids, start, end, today, previous) -> list[Measure]:
    figures = concern_figures(school_ids=school_ids, start=start, end=end)
    earlier = [concern_figures(school_ids=school_ids, start=s, end=e) for s, e in previous]
    queues = case_queues(school_ids=school_ids, today=today)
    agencies = referrals_by_agency(school_ids=school_ids, start=start, end=end)
    four_c = four_c_counts(school_ids=school_ids, start=start, end=end)

    def each(fn):
        return {sid: fn(sid) for sid in school_ids}

    area = "Concerns"
    return [
        # A count of concerns is not judged good or bad by itself: its state is its trend (see the dashboard).
        Measure(
            "concerns",
            "Concerns",
            area,
            each(lambda s: figures[s].total),
            child=True,
            amber=10_000,
            red=10_000,
            parts=four_c,
            previous=each(lambda s: [p[s].total for p in earlier]),
        ),
        Measure(
            "urgent_unacknowledged",
            "Urgent, not acknowledged",
            "Cases",
            each(lambda s: queues[s].urgent_unacknowledged),
            child=True,
            amber=1,
            red=1,
        ),
        Measure(
            "unacknowledged",
            "Not acknowledged",
            "Cases",
            each(lambda s: queues[s].unacknowledged),
            child=True,
            amber=1,
            red=5,
        ),
        Measure(
            "overdue_actions",
            "Overdue actions",
            "Cases",
            each(lambda s: queues[s].overdue_actions),
            child=True,
            amber=1,
            red=5,
        ),
        Measure(
            "referrals",
            "Referrals",
            area,
            each(lambda s: figures[s].referrals),
            child=True,
            amber=10_000,
            red=10_000,
            parts=agencies,
        ),
        Measure(
            "cp_awaiting",
            "CP files awaiting confirmation",
            "Cases",
            each(lambda s: queues[s].cp_awaiting),
            child=True,
            amber=1,
            red=10_000,
            note=each(lambda s: f"{queues[s].cp_overdue} past five school days" if queues[s].cp_overdue else ""),
        ),
        Measure(
            "ack_percent",
            "Acknowledged in 24 h",
            "Cases",
            each(lambda s: figures[s].ack_percent),
            kind="percent",
            higher_is_better=True,
            amber=90,
            red=75,
        ),
    ]


# --- The trust report's concern figures (reports.trust, kind ``trust_concerns``) -------------------------------


def trust_concerns(*, school_ids: list[int], start: datetime.date, end: datetime.date, pupils: dict[int, int]) -> dict:
    """Each school's concern cells of the trust report (figures only, each through ``small_count``), and the
    trust-wide ones: {"rows": {school id: cells}, "table": {"four_c_labels", "total"}}."""
    t_from, t_to = day_bounds(start, end)
    by_category = list(
        Incident.objects.filter(concerns(), school_id__in=school_ids, reported_at__gte=t_from, reported_at__lt=t_to)
        .values_list("school_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The headline figures as each school's own home page and governor report count them.
    figures = concern_figures(school_ids=school_ids, start=start, end=end)
    totals: dict[int, int] = {}
    four_c: dict[int, dict[str, int]] = {}
    for school_id, category, n in by_category:
        totals[school_id] = totals.get(school_id, 0) + n
        bucket = four_c.setdefault(school_id, {fc.value: 0 for fc in FourC})
        bucket[FOUR_C[category]] += n
    rows = {}
    for sid in school_ids:
        f = figures[sid]
        total = f.total
        on_roll = pupils.get(sid, 0)
        acked = f.acknowledged_in_time
        rows[sid] = {
            "total": small_count(total),
            # A rate per 100 pupils compares schools of different sizes; hidden when the count is small.
            "rate": (f"{100 * total / on_roll:.1f}" if on_roll and total >= 3 else "—"),
            "four_c": [small_count(four_c.get(sid, {}).get(fc.value, 0)) for fc in FourC],
            "four_c_cells": [(fc.label, small_count(four_c.get(sid, {}).get(fc.value, 0))) for fc in FourC],
            "ack_pct": f"{f.ack_percent}%" if total else "—",
            "ack_rag": ("green" if not total or acked / total >= 0.9 else "amber" if acked / total >= 0.75 else "red"),
            "urgent": small_count(f.urgent),
            "referrals": small_count(f.referrals),
            "open_at_end": small_count(f.open_at_end),
            "allegations": small_count(f.allegations),
        }
    table = {"four_c_labels": [fc.label for fc in FourC], "total": small_count(sum(totals.values()))}
    return {"rows": rows, "table": table}


plugins.register("trust_concerns", "incidents", trust_concerns, order=10)

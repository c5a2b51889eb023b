"""Reads for incidents. Every list is filtered through the access policy's case_visibility()."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from safeguarding_portal.accounts import policy
from safeguarding_portal.schools.models import Pupil

from .categories import FOUR_C, Category, categories_in
from .models import OPEN_STATUSES, CaseStep, CaseTask, Incident, IncidentPupil, Status, TimelineEntry


@dataclass
class DashboardFilters:
    queue: str = ""  # unacknowledged, urgent, mine, overdue, awaiting_agency, steps_open
    status: str = ""
    category: str = ""
    four_c: str = ""
    year_group: str = ""
    pupil_id: int | None = None
    reporter_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""
    extra: dict = field(default_factory=dict)


QUEUES = [
    ("unacknowledged", "Not yet acknowledged"),
    ("urgent", "Urgent (immediate risk)"),
    ("mine", "Assigned to me"),
    ("overdue", "Overdue actions"),
    ("awaiting_agency", "Awaiting an agency"),
    ("steps_open", "Required steps still open"),
    ("open", "All open"),
    ("closed", "Closed"),
]


def visible_cases(*, portal) -> QuerySet[Incident]:
    return Incident.objects.filter(policy.case_visibility(portal))


def _queue_filter(queue: str, *, user, today: datetime.date) -> Q:
    return {
        "unacknowledged": Q(acknowledged_at__isnull=True),
        "urgent": Q(immediate_risk=True) & ~Q(status=Status.CLOSED),
        "mine": Q(assigned_to=user) & ~Q(status=Status.CLOSED),
        "overdue": Q(next_task_due_on__lt=today),
        "awaiting_agency": Q(status=Status.AWAITING_AGENCY),
        "steps_open": Q(open_mandatory_steps__gt=0) & ~Q(status=Status.REPORTED),
        "open": Q(status__in=OPEN_STATUSES),
        "closed": Q(status=Status.CLOSED),
    }.get(queue, Q())


def dashboard_cases(*, portal, filters: DashboardFilters) -> QuerySet[Incident]:
    today = timezone.localdate()
    qs = visible_cases(portal=portal).filter(_queue_filter(filters.queue, user=portal.user, today=today))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.four_c:
        qs = qs.filter(category__in=categories_in(filters.four_c))
    # Pupil subqueries are limited to the school: unscoped, they scan every pupil of every school.
    school_links = IncidentPupil.objects.filter(pupil__school=portal.school)
    if filters.year_group:
        qs = qs.filter(pk__in=school_links.filter(pupil__year_group=filters.year_group).values("incident_id"))
    if filters.pupil_id:
        qs = qs.filter(pk__in=school_links.filter(pupil_id=filters.pupil_id).values("incident_id"))
    if filters.reporter_id:
        qs = qs.filter(reported_by_id=filters.reporter_id)
    if filters.date_from:
        qs = qs.filter(reported_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(reported_at__date__lte=filters.date_to)
    if filters.q:
        term = filters.q.strip()
        if any(ch.isdigit() for ch in term):
            # References always hold digits and names never do: a reference search need not scan pupils, and
            # a name search need not scan every reference with LIKE '%...%'.
            qs = qs.filter(reference__icontains=term)
        else:
            by_pupil = school_links.filter(
                Q(pupil__surname__istartswith=term)
                | Q(pupil__legal_forename__istartswith=term)
                | Q(pupil__preferred_forename__istartswith=term)
            ).values("incident_id")
            qs = qs.filter(pk__in=by_pupil)
    # Only what a row shows: whole incidents with their reporters and assignees cost more to build than to fetch.
    qs = qs.select_related("assigned_to").only(*DASHBOARD_ROW_FIELDS)
    if filters.queue in ("unacknowledged", "urgent"):
        return qs.order_by("-immediate_risk", "acknowledged_at", "-reported_at")
    return qs.order_by("-reported_at")


DASHBOARD_ROW_FIELDS = (
    "reference", "school_id", "reported_at", "category", "immediate_risk", "acknowledged_at", "route", "status",
    "next_task_due_on", "open_mandatory_steps", "assigned_to__full_name",
)


def with_pupil_names(cases: list[Incident]) -> list[Incident]:
    """Sets ``pupil_names`` ("Ava Brown, Leo Smith") on each case with one query of four columns, rather than
    prefetching link and pupil objects for a list that shows only names."""
    names: dict[int, list[str]] = {c.pk: [] for c in cases}
    rows = (
        IncidentPupil.objects.filter(incident_id__in=names)
        .order_by("incident_id", "pk")
        .values_list("incident_id", "pupil__preferred_forename", "pupil__legal_forename", "pupil__surname")
    )
    for incident_id, preferred, legal, surname in rows:
        names[incident_id].append(f"{preferred or legal} {surname}")
    for case in cases:
        case.pupil_names = ", ".join(names[case.pk])
    return cases


def _summary_counts(*, portal) -> dict[str, int]:
    """Queue and status counts together: one read of the school's cases, not two."""
    today = timezone.localdate()
    aggregates = {name: Count("pk", filter=_queue_filter(name, user=portal.user, today=today)) for name, _ in QUEUES}
    aggregates.update({f"status:{s}": Count("pk", filter=Q(status=s)) for s in Status.values})
    aggregates.update({f"category:{c}": Count("pk", filter=Q(category=c)) for c in Category.values})
    return visible_cases(portal=portal).aggregate(**aggregates)


def _weekly_trend(*, portal, weeks: int) -> list[tuple[datetime.date, int]]:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday()) - datetime.timedelta(weeks=weeks - 1)
    # An aware start time rather than reported_at__date, so the (school, reported_at) index is usable.
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    rows = (
        visible_cases(portal=portal)
        .filter(reported_at__gte=start_at)
        .annotate(week=TruncWeek("reported_at"))
        .values("week")
        .annotate(n=Count("pk"))
    )
    by_week = {}
    for r in rows:
        week = r["week"]
        week = week.date() if isinstance(week, datetime.datetime) else week
        by_week[week] = r["n"]
    return [
        (start + datetime.timedelta(weeks=i), by_week.get(start + datetime.timedelta(weeks=i), 0)) for i in range(weeks)
    ]


# The dashboard's summary figures (counts and trend) are cached per school, person, day and version. The
# version is the school's timeline length, read from the database (one indexed row): every change to a case
# appends to the timeline, so figures are never stale, even after a Redis outage that missed the change.
def school_version(school_id: int) -> int:
    last = (
        TimelineEntry.objects.filter(chain=f"school:{school_id}").order_by("-seq").values_list("seq", flat=True)
        .first()
    )
    return last or 0


def _cached(portal, name: str, compute):
    version = getattr(portal, "_incidents_version", None)  # once per request, for all the page's figures
    if version is None:
        version = portal._incidents_version = school_version(portal.school.pk)
    key = f"incidents:{name}:{portal.school.pk}:{portal.user.pk}:{version}:{timezone.localdate()}"
    try:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, 60 * 60)
        return value
    except Exception:  # a cache that is down costs speed, never the page
        return compute()


def queue_counts(*, portal) -> dict[str, int]:
    counts = _cached(portal, "summary-v2", lambda: _summary_counts(portal=portal))
    return {name: counts[name] for name, _ in QUEUES}


def status_counts(*, portal) -> dict[str, int]:
    counts = _cached(portal, "summary-v2", lambda: _summary_counts(portal=portal))
    return {s: counts[f"status:{s}"] for s in Status.values}


def known_count(*, portal, filters: DashboardFilters) -> int | None:
    """How many cases ``filters`` select, when the cached summary already knows: no filter, or just one queue,
    status, category or 4C group. None when a real count is needed."""
    summarised = ("queue", "status", "category", "four_c")
    chosen = [name for name in summarised if getattr(filters, name)]
    if len(chosen) > 1 or dataclasses.replace(filters, **dict.fromkeys(summarised, "")) != DashboardFilters():
        return None
    counts = _cached(portal, "summary-v2", lambda: _summary_counts(portal=portal))
    if filters.queue:
        return counts[filters.queue]
    if filters.status:
        return counts[f"status:{filters.status}"]
    if filters.category:
        return counts[f"category:{filters.category}"]
    if filters.four_c:
        return sum(counts[f"category:{c}"] for c in categories_in(filters.four_c))
    return sum(counts[f"status:{s}"] for s in Status.values)


def weekly_trend(*, portal, weeks: int = 12) -> list[tuple[datetime.date, int]]:
    return _cached(portal, f"trend{weeks}", lambda: _weekly_trend(portal=portal, weeks=weeks))


def open_allegations(*, portal, limit: int = 5) -> list[Incident]:
    """Allegations about staff (and, for the chair, about the head) still open, newest first."""
    return list(
        visible_cases(portal=portal)
        .exclude(route="dsl")
        .filter(status__in=OPEN_STATUSES)
        .order_by("-reported_at")[:limit]
    )


def case_detail(*, portal, reference: str) -> Incident | None:
    incident = (
        visible_cases(portal=portal)
        .select_related("school", "reported_by", "assigned_to", "subject_staff")
        .filter(reference=reference)
        .first()
    )
    return incident


def case_timeline(*, incident: Incident) -> list[TimelineEntry]:
    corrected = TimelineEntry.objects.filter(corrects=OuterRef("pk"))
    return list(
        incident.entries.select_related("corrects").annotate(is_corrected=Exists(corrected)).order_by("at", "id")
    )


def case_pupils(*, incident: Incident) -> list[IncidentPupil]:
    return list(incident.pupil_links.select_related("pupil").order_by("pupil__surname"))


def case_tasks(*, incident: Incident) -> list[CaseTask]:
    # The page shows a task's title, owner, due date and whether it is done: not the entries' texts and hashes.
    return list(
        incident.tasks.select_related("owner")
        .only("title", "due_on", "done_entry_id", "incident_id", "owner__full_name")
        .order_by("done_entry", "due_on")
    )


def case_steps(*, incident: Incident) -> list[CaseStep]:
    return list(
        incident.steps.select_related("done_entry")
        .only("order", "text", "mandatory", "incident_id", "done_entry__at")
        .order_by("order")
    )


def own_reports(*, portal) -> QuerySet[Incident]:
    if portal.school is None:
        return Incident.objects.none()
    return Incident.objects.filter(school=portal.school, reported_by=portal.user).order_by("-reported_at")


def own_report(*, portal, reference: str) -> Incident | None:
    return own_reports(portal=portal).filter(reference=reference).first()


def pupil_chronology(*, portal, pupil: Pupil) -> list[IncidentPupil]:
    return list(
        IncidentPupil.objects.filter(pupil=pupil, incident__in=visible_cases(portal=portal))
        .select_related("incident", "incident__reported_by")
        .order_by("incident__occurred_at")
    )


def four_c_of(category: str) -> str:
    return FOUR_C[category]

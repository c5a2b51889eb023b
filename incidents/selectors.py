"""Reads for incidents. Every list is filtered through the access policy's case_visibility()."""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from safeguarding_portal.accounts import policy
from safeguarding_portal.core.dates import day_bounds
from safeguarding_portal.schools import search as school_search
from safeguarding_portal.schools.models import Pupil, PupilFlag, PupilGuardian, School, flag_kinds_in

from . import access, corrections
from . import counts as kept_counts
from .categories import FOUR_C, Category, categories_in
from .figures import leavers_only, queue_rules
from .models import (
    OPEN_STATUSES,
    CaseCount,
    CaseShare,
    CaseStep,
    CaseTask,
    EntryKind,
    Incident,
    IncidentOther,
    IncidentPupil,
    IncidentStaff,
    Moderation,
    PupilRole,
    Route,
    SavedFilter,
    Status,
    TimelineEntry,
)


@dataclass
class DashboardFilters:
    queue: str = ""  # unacknowledged, urgent, mine, overdue, awaiting_agency, steps_open
    status: str = ""
    category: str = ""
    four_c: str = ""
    year_group: str = ""
    # A FlagGroup: cases with a pupil who has such a flag today. Only the DSL team's filters carry it.
    flag_group: str = ""
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
    ("leavers", "Open, pupils who have left"),
    ("closed", "Closed"),
]


def visible_cases(*, portal) -> QuerySet[Incident]:
    return Incident.objects.filter(access.case_visibility(portal))


def _queue_filter(queue: str, *, user, today: datetime.date) -> Q:
    # Still-open queues never count closed cases (but "steps_open" counts one whose required step was reopened
    # after it closed): a badge equals the rows its queue lists. The rules are the
    # figures' own, so the trust's counts of these queues are the dashboard's.
    if queue == "mine":
        return Q(assigned_to=user) & ~Q(status=Status.CLOSED)
    return queue_rules(today).get(queue, Q())


def dashboard_cases(*, portal, filters: DashboardFilters) -> QuerySet[Incident]:
    today = timezone.localdate()
    qs = visible_cases(portal=portal).filter(_queue_filter(filters.queue, user=portal.user, today=today))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.four_c:
        qs = qs.filter(category__in=categories_in(filters.four_c))
    # Pupil subqueries are limited to the school: unscoped, they scan every pupil of every school. Only the
    # pupils on a case now count (one taken off it by a later entry does not).
    school_links = IncidentPupil.objects.current().filter(pupil__school=portal.school)
    if filters.year_group:
        qs = qs.filter(pk__in=school_links.filter(pupil__year_group=filters.year_group).values("incident_id"))
    # Which cases involve a pupil with a CP plan is itself about the pupils' flags: the DSL team's alone.
    if filters.flag_group and portal.can(policy.Cap.VIEW_VULNERABILITY_FLAGS):
        flagged = (
            PupilFlag.objects.current(today)
            .filter(pupil__school=portal.school, kind__in=flag_kinds_in(filters.flag_group))
            .values("pupil_id")
        )
        qs = qs.filter(pk__in=school_links.filter(pupil_id__in=flagged).values("incident_id"))
    if filters.pupil_id:
        qs = qs.filter(pk__in=school_links.filter(pupil_id=filters.pupil_id).values("incident_id"))
    if filters.reporter_id:
        qs = qs.filter(reported_by_id=filters.reporter_id)
    if filters.date_from:
        qs = qs.filter(reported_at__gte=day_bounds(filters.date_from, filters.date_from)[0])
    if filters.date_to:
        qs = qs.filter(reported_at__lt=day_bounds(filters.date_to, filters.date_to)[1])
    ranked = False
    if filters.q:
        qs, ranked = _search(qs, portal=portal, query=filters.q, school_links=school_links, notes=filters.extra)
    # Only what a row shows: whole incidents with their reporters and assignees cost more to build than to fetch.
    qs = qs.select_related("assigned_to").only(*DASHBOARD_ROW_FIELDS)
    if ranked:
        return qs.order_by("search_rank", "-reported_at")
    if filters.queue in ("unacknowledged", "urgent"):
        return qs.order_by("-immediate_risk", "acknowledged_at", "-reported_at")
    return qs.order_by("-reported_at")


YEAR_NUMBER = re.compile(r"^(\d{4})-(\d{1,4})$")
FULL_REFERENCE = re.compile(r"^[A-Za-z]{2,6}-\d{4}-\d{4}$")


def _reference_filter(term: str) -> Q | None:
    """What a typed reference means: "OAK-2026-0042" (or part of one), "2026-42", or a case number "42"."""
    if not any(ch.isdigit() for ch in term) or school_search.is_upn(term):
        return None
    if FULL_REFERENCE.match(term):
        return Q(reference=term.upper())  # the unique index, not a scan
    if term.isdigit():
        return Q(reference__endswith=f"-{int(term):04d}")
    if m := YEAR_NUMBER.match(term):
        return Q(reference__endswith=f"-{m.group(1)}-{int(m.group(2)):04d}")
    return Q(reference__icontains=term)


MAX_LISTED_MATCHES = 500
SEARCH_CAP = 500  # cases listed for a name thousands of cases share (the newest, ranked among themselves)
SEARCH_PAGES = 1  # pages of the school's newest cases read looking for them before asking the database


def _search(  # noqa: C901
    qs: QuerySet[Incident],
    *,
    portal,
    query: str,
    school_links,
    notes: dict,
) -> tuple[QuerySet[Incident], bool]:
    # (Complexity: the two plans, few matches or a common name, each measured at 200,000 cases; to be split into
    # two functions with the bench beside them, not blind.)
    """A case by reference, a pupil by UPN, or by any of their names in either order (schools.search).
    Name matches are ranked: cases of pupils whose whole names were typed first, then those whose names start
    with what was typed; newest first within each. A name so common that more than SEARCH_CAP cases match
    lists the newest SEARCH_CAP and sets ``notes["search_capped"]``."""
    term = query.strip()
    by_reference = _reference_filter(term)
    if by_reference is not None:
        return qs.filter(by_reference), False
    if school_search.is_upn(term):
        return qs.filter(pk__in=school_links.filter(pupil__upn=term.upper()).values("incident_id")), False
    name_q = school_search.name_filter(term)
    if name_q is None:
        return qs.none(), False
    # The usual search, a name or two, matches few cases: one query lists them with their pupils' names, and
    # the page is filtered by that short list of keys instead of nested subqueries per rank.
    pairs = list(
        school_links.filter(school_search.name_filter(term, prefix="pupil__")).values_list(
            "incident_id", "pupil__search_text"
        )[: MAX_LISTED_MATCHES + 1]
    )
    if len(pairs) <= MAX_LISTED_MATCHES:
        case_rank: dict[int, int] = {}
        for incident_id, text in pairs:
            rank = school_search.match(text, term).rank
            case_rank[incident_id] = min(rank, case_rank.get(incident_id, rank))
        by_rank: dict[int, list[int]] = {}
        for incident_id, rank in case_rank.items():
            by_rank.setdefault(rank, []).append(incident_id)
        tiers = [When(pk__in=ids, then=Value(rank)) for rank, ids in sorted(by_rank.items())]
        qs = qs.filter(pk__in=list(case_rank))
    else:
        # A name so common (or so short) that listing its cases would cost more than asking the database.
        matching = list(
            Pupil.objects.filter(school=portal.school).filter(name_q).values_list("pk", "search_text")[:500]
        )
        pupils_by_rank: dict[int, list[int]] = {}
        for pk, text in matching:
            pupils_by_rank.setdefault(school_search.match(text, term).rank, []).append(pk)
        # The pupils are this school's already: their links are read by the (pupil, incident) index alone, not
        # joined to the school's pupils again (that join made the planner loop over every pupil per rank).
        links = IncidentPupil.objects.current()
        # Capped: the newest SEARCH_CAP of the matching cases, ranked among themselves, rather than counting and
        # ranking every case of a surname thousands share; the page says the list is capped. The school's cases
        # are read newest first from its (school, reported_at) index a page at a time, and each page's matches
        # found among the pupils' links from the page's lowest case id up (the (pupil, incident) index; ids only
        # narrow the read, the page's own ids decide): for a common name the first page holds enough. (Asked as
        # one query, the planner joined every match and sorted them all.) Matches too sparse for a few pages are
        # asked of the database after all.
        rank_of = {pk: rank for rank, pks in pupils_by_rank.items() for pk in pks}
        every = list(rank_of)
        link_rank: dict[int, int] = {}
        newest: list[int] = []
        ordered = qs.order_by("-reported_at").values_list("pk", flat=True)
        offset, page = 0, SEARCH_CAP * 10
        for _ in range(SEARCH_PAGES):
            ids = list(ordered[offset : offset + page])
            if ids:
                on_page = set(ids)
                for incident_id, pupil_id in links.filter(pupil_id__in=every, incident_id__gte=min(ids)).values_list(
                    "incident_id", "pupil_id"
                ):
                    if incident_id in on_page:
                        link_rank[incident_id] = min(rank_of[pupil_id], link_rank.get(incident_id, 99))
                newest += [pk for pk in ids if pk in link_rank]
            if len(newest) > SEARCH_CAP or len(ids) < page:
                break
            offset += page
        else:
            newest = list(
                qs.filter(pk__in=links.filter(pupil_id__in=every).values("incident_id"))
                .order_by("-reported_at")
                .values_list("pk", flat=True)[: SEARCH_CAP + 1]
            )
            link_rank = {}
            for incident_id, pupil_id in links.filter(pupil_id__in=every, incident_id__in=newest).values_list(
                "incident_id", "pupil_id"
            ):
                link_rank[incident_id] = min(rank_of[pupil_id], link_rank.get(incident_id, 99))
        case_rank = {pk: link_rank[pk] for pk in newest}
        if len(case_rank) > SEARCH_CAP:
            notes["search_capped"] = SEARCH_CAP
            case_rank = dict(list(case_rank.items())[:SEARCH_CAP])
        by_rank = {}
        for pk, rank in case_rank.items():
            by_rank.setdefault(rank, []).append(pk)
        tiers = [When(pk__in=ids, then=Value(rank)) for rank, ids in sorted(by_rank.items())]
        qs = qs.filter(pk__in=list(case_rank))
    # A case ranks as its best-matching pupil: the tiers are few (one per typed word at most).
    qs = qs.annotate(search_rank=Case(*tiers, default=Value(99)) if tiers else Value(0))
    return qs, True


DASHBOARD_ROW_FIELDS = (
    "reference",
    "school_id",
    "reported_at",
    "category",
    "immediate_risk",
    "acknowledged_at",
    "route",
    "status",
    "next_task_due_on",
    "open_mandatory_steps",
    "severity",
    "assigned_to__full_name",
    "source",
    "moderation",
)


def with_pupil_names(cases: list[Incident], *, query: str = "") -> list[Incident]:
    """Sets ``pupil_names`` ("Ava Brown, Leo Smith") on each case, and ``pupil_name_spans`` (each name cut
    into (text, matched) pieces for highlighting what a search matched), with one query of a few columns
    rather than link and pupil objects for a list that shows only names."""
    names: dict[int, list[str]] = {c.pk: [] for c in cases}
    rows = (
        IncidentPupil.objects.current()
        .filter(incident_id__in=names)
        .order_by("incident_id", "pk")
        .values_list(
            "incident_id",
            "pupil__preferred_forename",
            "pupil__legal_forename",
            "pupil__surname",
            "pupil__preferred_surname",
        )
    )
    for incident_id, preferred, legal, surname, preferred_surname in rows:
        names[incident_id].append(f"{preferred or legal} {preferred_surname or surname}")
    for case in cases:
        case.pupil_names = ", ".join(names[case.pk])
        case.pupil_name_spans = [school_search.highlight_spans(name, query) for name in names[case.pk]]
    return cases


def _summary_counts_live(*, portal, visible: QuerySet[Incident] | None = None) -> dict[str, int]:
    """Queue, status and category counts of ``visible`` (all the cases the person sees by default), counted
    from the cases themselves in two reads: the open cases with every queue's test, and the closed
    ones (most of a school's history) by category alone.

    Every queue but "closed" and "unacknowledged" leaves closed cases out, yet testing a few dozen FILTERs on
    every one of a school's 200,000 cases was what recomputing the counts after a change cost; the closed cases
    are counted per category from a partial index that holds every column the count and the visibility read.
    """
    today = timezone.localdate()
    visible = visible_cases(portal=portal) if visible is None else visible
    aggregates = {
        name: Count("pk", filter=_queue_filter(name, user=portal.user, today=today))
        for name, _ in QUEUES
        if name != "closed"
    }
    aggregates.update({f"status:{s}": Count("pk", filter=Q(status=s)) for s in OPEN_STATUSES})
    aggregates.update({f"category:{c}": Count("pk", filter=Q(category=c)) for c in Category.values})
    counts = visible.exclude(status=Status.CLOSED).aggregate(**aggregates)
    closed = (
        visible.filter(status=Status.CLOSED)
        .order_by()
        .values("category")
        .annotate(n=Count("pk"), unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)))
    )
    counts["closed"] = counts[f"status:{Status.CLOSED}"] = 0
    for row in closed:
        counts["closed"] += row["n"]
        counts[f"category:{row['category']}"] = counts.get(f"category:{row['category']}", 0) + row["n"]
        counts["unacknowledged"] += row["unacknowledged"]  # none in practice: closing acknowledges a case
    counts[f"status:{Status.CLOSED}"] = counts["closed"]
    # The one still-open queue a closed case can be in: a required step a correction reopened after it closed
    # (figures.queue_rules). Few cases ever qualify, so one small count, not a test on every closed case.
    counts["steps_open"] += (
        visible.filter(status=Status.CLOSED, open_mandatory_steps__gt=0)
        .filter(_queue_filter("steps_open", user=portal.user, today=today))
        .count()
    )
    counts["dismissed"] = visible.filter(moderation=Moderation.DISMISSED).count()
    return counts


def _seen_whole(portal, whole: frozenset[str]) -> QuerySet[Incident]:
    """The cases of the routes ``portal`` sees whole, as ``case_visibility`` shows them for those routes, without
    its per-case test for the others: so the counts below read an index alone."""
    return Incident.objects.filter(school=portal.school, route__in=whole).exclude(subject_staff=portal.user)


# The columns of _union_rows' rows, and what stands in for those a part has not. A part's own columns are the
# first of these, in this order (the kept states have six, the leavers' cases seven, the shared allegations all
# eight, today's overdue count none).
_UNION_COLUMNS = (
    ("status", "''"),
    ("category", "''"),
    ("acknowledged", "false"),
    ("immediate_risk", "false"),
    ("steps_open", "false"),
    ("assigned", "0"),
    ("overdue", "false"),
    ("leaver", "false"),
)


def _union_rows(parts: list[tuple[str, QuerySet]]) -> dict[str, list[tuple]]:
    """The rows of each (tag, values_list queryset whose last column is ``n``) part, read in one statement.

    Each part is compiled by the ORM as it would be on its own, as a named WITH query; the UNION ALL of them
    pads the columns a part has not, so one statement brings every part's rows. Each row comes back as its
    part's own columns and ``n``, as the part alone would have given it."""
    found: dict[str, list[tuple]] = {}
    if not parts:
        return found
    withs, selects, params, widths = [], [], [], {}
    for i, (tag, qs) in enumerate(parts):
        query = qs.query
        sql, part_params = query.sql_with_params()
        # The SELECT's columns by name, in its order (Django 5.2 keeps values_list()'s order in query.selected, and
        # the annotations added after it at the end), so each column is found by name rather than assumed.
        chosen = query.selected or {}
        selected = [*query.extra_select, *chosen, *(a for a in query.annotation_select if a not in chosen)]
        wanted = [*qs._fields, *(f for f in query.annotation_select if f not in qs._fields)]
        width = len(wanted) - 1  # its columns before n
        widths[i] = (tag, width)
        withs.append(f"p{i} ({', '.join(f'c{j}' for j in range(len(selected)))}) AS ({sql})")
        params.extend(part_params)
        columns = [
            f"c{selected.index(wanted[j])}" if j < width else blank for j, (_, blank) in enumerate(_UNION_COLUMNS)
        ]
        n = f"c{selected.index(wanted[-1])}"
        selects.append(f"SELECT {i}, {', '.join(columns)}, {n} FROM p{i}")  # noqa: S608 (no outside text)
        found[tag] = []
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(withs)} {' UNION ALL '.join(selects)}", params)
        for part, *values, n in cursor.fetchall():
            tag, width = widths[part]
            found[tag].append((*values[:width], n))
    return found


def _summary_counts(*, portal) -> dict[str, int]:  # noqa: C901 (the queue rules on kept states; see the docstring)
    """The queue, status and category counts: for the routes a person sees whole, from the counts kept per
    school and state (incidents.counts: a few hundred rows however many cases the school has), with the two
    things a kept count cannot know counted live from small partial indexes (cases overdue today, and closed
    cases whose required step was reopened); cases seen one by one (allegations shared with the DSL team)
    counted from the cases, grouped the same way. Equal to ``_summary_counts_live`` (a test compares them after
    a mix of changes)."""
    today = timezone.localdate()
    user_id = portal.user.pk
    whole = access.case_routes_seen_whole(portal)
    others = [r for r in Route.values if r not in whole]
    counts = dict.fromkeys(
        [name for name, _ in QUEUES]
        + [f"status:{s}" for s in Status.values]
        + [f"category:{c}" for c in Category.values],
        0,
    )
    # Up to four reads (the kept states, the allegations shared with the team, today's overdue, the leavers'
    # open cases), sent as one UNION ALL: one round trip, each part the queryset it always was.
    parts: list[tuple[str, QuerySet]] = []
    if whole:
        parts.append(
            (
                "state",
                CaseCount.objects.filter(school=portal.school, route__in=whole, week=kept_counts.NO_WEEK, n__gt=0)
                .exclude(subject=user_id)
                .values_list("status", "category", "acknowledged", "immediate_risk", "steps_open", "assigned", "n"),
            )
        )
    if others:
        # A handful of cases (allegations shared with the DSL team), in the same states, with "overdue" too.
        parts.append(
            (
                "other",
                visible_cases(portal=portal)
                .filter(route__in=others)
                .order_by()
                .annotate(
                    acknowledged=ExpressionWrapper(Q(acknowledged_at__isnull=False), output_field=BooleanField()),
                    steps_open=ExpressionWrapper(Q(open_mandatory_steps__gt=0), output_field=BooleanField()),
                    overdue=ExpressionWrapper(queue_rules(today)["overdue"], output_field=BooleanField()),
                    leaver=ExpressionWrapper(leavers_only(), output_field=BooleanField()),
                )
                .values_list(
                    "status",
                    "category",
                    "acknowledged",
                    "immediate_risk",
                    "steps_open",
                    "assigned_to_id",
                    "overdue",
                    "leaver",
                )
                .annotate(n=Count("pk")),
            )
        )
    if whole:
        seen_whole = _seen_whole(portal, whole)
        # From the partial index alone; the leavers' overdue cases are taken off below with the rest of theirs.
        parts.append(
            (
                "overdue",
                seen_whole.filter(next_task_due_on__lt=today)
                .exclude(status=Status.CLOSED)
                .order_by()
                .values("school_id")
                .annotate(n=Count("pk"))
                .values_list("n"),
            )
        )
        # Whether a case's pupils have all left is the pupils' (an MIS import), not the case's: not kept, so the
        # open cases of pupils who have left are counted from the cases, starting from the school's leavers.
        left = IncidentPupil.objects.current().filter(pupil__school=portal.school, pupil__left_on__isnull=False)
        parts.append(
            (
                "leaving",
                seen_whole.exclude(status=Status.CLOSED)
                .filter(pk__in=left.values("incident_id"))
                .filter(leavers_only())
                .order_by()
                .annotate(
                    acknowledged=ExpressionWrapper(Q(acknowledged_at__isnull=False), output_field=BooleanField()),
                    steps_open=ExpressionWrapper(Q(open_mandatory_steps__gt=0), output_field=BooleanField()),
                    overdue=ExpressionWrapper(Q(next_task_due_on__lt=today), output_field=BooleanField()),
                )
                .values_list(
                    "status", "category", "acknowledged", "immediate_risk", "steps_open", "assigned_to_id", "overdue"
                )
                .annotate(n=Count("pk")),
            )
        )
    # Dismissed pupil reports: closed in the kept counts but no concern (figures.concerns), so the dashboard names
    # them; from a partial index of a handful of rows, in the same statement as the rest.
    parts.append(
        (
            "dismissed",
            visible_cases(portal=portal)
            .filter(moderation=Moderation.DISMISSED)
            .order_by()
            .values("school_id")
            .annotate(n=Count("pk"))
            .values_list("n"),
        )
    )
    rows = _union_rows(parts)
    counts["dismissed"] = sum(n for (n,) in rows.get("dismissed", []))
    states: list[tuple] = []  # (status, category, acknowledged, immediate_risk, steps_open, assigned, n)
    leaving: list[tuple] = []  # the open ones among them whose pupils have all left (figures.leavers_only)
    states += rows.get("state", [])
    for *state, overdue, leaver, n in rows.get("other", []):
        states.append((*state, n))
        if overdue:
            counts["overdue"] += n
        if leaver and state[0] != Status.CLOSED:
            leaving.append((*state, n))
    for (n,) in rows.get("overdue", []):
        counts["overdue"] += n
    leaving += rows.get("leaving", [])
    closed_with_steps_open = False
    # The queue rules of figures.queue_rules, on a state rather than a case.
    for status, category, acknowledged, urgent, steps_open, assigned, n in states:
        closed = status == Status.CLOSED
        counts[f"status:{status}"] += n
        counts[f"category:{category}"] += n
        if not acknowledged:
            counts["unacknowledged"] += n
        if closed:
            counts["closed"] += n
            closed_with_steps_open |= bool(steps_open)
            continue
        counts["open"] += n
        if urgent:
            counts["urgent"] += n
        if assigned == user_id:
            counts["mine"] += n
        if status == Status.AWAITING_AGENCY:
            counts["awaiting_agency"] += n
        if steps_open and status != Status.REPORTED:
            counts["steps_open"] += n
    # Open cases of pupils who have left are in "leavers", not in the everyday queues that count pupils on roll.
    for status, _category, acknowledged, _urgent, steps_open, _assigned, *overdue, n in leaving:
        if overdue and overdue[0]:  # the allegations' rows counted their overdue with the leavers left out
            counts["overdue"] -= n
        counts["leavers"] += n
        counts["open"] -= n
        if not acknowledged:
            counts["unacknowledged"] -= n
        if status == Status.AWAITING_AGENCY:
            counts["awaiting_agency"] -= n
        if steps_open and status != Status.REPORTED:
            counts["steps_open"] -= n
    if closed_with_steps_open:  # rare: only then can a closed case have had a required step reopened
        counts["steps_open"] += (
            visible_cases(portal=portal)
            .filter(status=Status.CLOSED, open_mandatory_steps__gt=0)
            .filter(queue_rules(today)["steps_open"])
            .count()
        )
    return counts


def _weekly_trend(*, portal, weeks: int) -> list[tuple[datetime.date, int]]:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday()) - datetime.timedelta(weeks=weeks - 1)
    # An aware start time rather than reported_at__date, so the (school, reported_at) index is usable.
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    # The routes seen whole from the weeks' kept counts (incidents.counts); others (allegations shared with the
    # DSL team) from the cases through the per-case test.
    whole = access.case_routes_seen_whole(portal)
    others = [r for r in Route.values if r not in whole]
    rows = []
    if whole:
        rows += (
            CaseCount.objects.filter(school=portal.school, route__in=whole, week__gte=start)
            .exclude(subject=portal.user.pk)
            .values("week")
            .annotate(n=Sum("n"))
            .order_by()
        )
    if others:
        rows += (
            visible_cases(portal=portal)
            .filter(route__in=others, reported_at__gte=start_at)
            .order_by()
            .annotate(week=TruncWeek("reported_at"))
            .values("week")
            .annotate(n=Count("*"))
        )
    by_week = {}
    for r in rows:
        week = r["week"]
        week = week.date() if isinstance(week, datetime.datetime) else week
        by_week[week] = by_week.get(week, 0) + r["n"]
    return [
        (start + datetime.timedelta(weeks=i), by_week.get(start + datetime.timedelta(weeks=i), 0)) for i in range(weeks)
    ]


# The dashboard's summary figures (counts and trend) are cached per school, person, day and version. The
# version is the school's timeline length, read from the database (one indexed row): every change to a case
# appends to the timeline, so figures are never stale, even after a Redis outage that missed the change.
def school_version(school_id: int) -> str:
    # A pupil marked as left by the MIS import moves their cases out of the everyday queues without a timeline
    # entry: the leavers' count and latest leaving day are part of the version too. One read for the three: each
    # a subquery of the school's own row.
    leavers = Pupil.objects.filter(school_id=school_id, left_on__isnull=False).order_by().values("school_id")
    row = (
        School.objects.filter(pk=school_id)
        .annotate(
            last_seq=Subquery(
                TimelineEntry.objects.filter(chain=f"school:{school_id}").order_by("-seq").values("seq")[:1]
            ),
            leavers=Subquery(leavers.annotate(n=Count("pk")).values("n")),
            last_left=Subquery(leavers.annotate(last=Max("left_on")).values("last")),
        )
        .values_list("last_seq", "leavers", "last_left")
        .first()
    )
    last, n, last_left = row or (None, None, None)
    return f"{last or 0}.{n or 0}.{last_left or ''}"


def is_leavers_case(incident: Incident) -> bool:
    """Every pupil on the case has left the school (figures.leavers_only, for one case; access.can_act_on_case
    asks the same)."""
    return Incident.objects.filter(pk=incident.pk).filter(leavers_only()).exists()


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
    counts = _cached(portal, "summary-v3", lambda: _summary_counts(portal=portal))
    return {name: counts[name] for name, _ in QUEUES}


def status_counts(*, portal) -> dict[str, int]:
    counts = _cached(portal, "summary-v3", lambda: _summary_counts(portal=portal))
    return {s: counts[f"status:{s}"] for s in Status.values}


def dismissed_count(*, portal) -> int:
    """How many of the closed cases the person sees are pupils' reports dismissed as spam or abuse: closed in the
    kept counts, but not concerns in any figure (figures.concerns), so the dashboard names them (a partial index
    of a handful of rows)."""
    counts = _cached(portal, "summary-v3", lambda: _summary_counts(portal=portal))
    return counts["dismissed"]


def known_count(*, portal, filters: DashboardFilters) -> int | None:
    """How many cases ``filters`` select, when the cached summary already knows: no filter, or just one queue,
    status, category or 4C group. None when a real count is needed."""
    summarised = ("queue", "status", "category", "four_c")
    chosen = [name for name in summarised if getattr(filters, name)]
    if len(chosen) > 1 or dataclasses.replace(filters, **dict.fromkeys(summarised, "")) != DashboardFilters():
        return None
    counts = _cached(portal, "summary-v3", lambda: _summary_counts(portal=portal))
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
    """Every entry, oldest first, each with ``corrections`` (which of its fields later entries corrected)."""
    return corrections.annotate(list(incident.entries.select_related("corrects").order_by("at", "id")))


def case_pupils(*, incident: Incident) -> list[IncidentPupil]:
    """The pupils on the case now."""
    return list(incident.pupil_links.current().select_related("pupil").order_by("pupil__surname"))


def case_pupils_removed(*, incident: Incident) -> list[IncidentPupil]:
    """Pupils taken off the case: still shown on it, with the entry that took them off."""
    return list(
        incident.pupil_links.filter(removed_entry__isnull=False)
        .select_related("pupil", "removed_entry")
        .order_by("pupil__surname")
    )


def case_staff(*, incident: Incident) -> list[IncidentStaff]:
    return list(incident.staff_links.current().select_related("user").order_by("user__full_name"))


def case_others(*, incident: Incident) -> list[IncidentOther]:
    return list(incident.others.current().select_related("added_entry").order_by("pk"))


def sibling_suggestions(*, incident: Incident, pupils: list[IncidentPupil]) -> list[tuple[Pupil, Pupil]]:
    """(pupil on the case, their sibling on roll and not on the case): siblings are pupils who share a
    parent or carer in the MIS import ("Isla Morgan's sibling Oliver is on roll"). One query."""
    on_case = {link.pupil_id: link.pupil for link in pupils}
    if not on_case:
        return []
    rows = (
        PupilGuardian.objects.filter(guardian__pupil_links__pupil_id__in=on_case)
        .exclude(pupil_id__in=on_case)
        .filter(pupil__left_on__isnull=True, pupil__school_id=incident.school_id)
        .values_list("guardian__pupil_links__pupil_id", "pupil_id")
        .distinct()
    )
    pairs = sorted(set(rows))
    siblings = {p.pk: p for p in Pupil.objects.filter(pk__in={s for _, s in pairs})}
    seen: set[int] = set()
    found = []
    for child_id, sibling_id in pairs:
        if sibling_id in seen or sibling_id not in siblings:
            continue
        seen.add(sibling_id)
        found.append((on_case[child_id], siblings[sibling_id]))
    return found


def case_shares(*, incident: Incident) -> list[CaseShare]:
    return list(incident.shares.filter(revoked_entry__isnull=True).select_related("user", "shared_entry"))


def shared_with(*, portal) -> QuerySet[Incident]:
    """Cases shared with the signed-in person by name (read-only), newest first."""
    return Incident.objects.filter(access.shared_case_visibility(portal)).order_by("-reported_at")


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
        .only(
            "order",
            "text",
            "mandatory",
            "completed_by",
            "incident_id",
            "done_entry__at",
            "done_entry__seq",
            "done_entry__data",
        )
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
        IncidentPupil.objects.current()
        .filter(pupil=pupil, incident__in=visible_cases(portal=portal))
        .select_related("incident", "incident__reported_by")
        .order_by("incident__occurred_at")
    )


def four_c_of(category: str) -> str:
    return FOUR_C[category]


def reported_pupils(*, incident: Incident) -> list[dict]:
    """The pupils the reporter named, with the parts they gave them: what the reporter sees of their own
    report, whatever the DSL team has added, taken off or corrected since."""
    links = list(
        incident.pupil_links.filter(added_entry__kind=EntryKind.REPORTED)
        .select_related("pupil")
        .order_by("pupil__surname")
    )
    first_roles = {}
    for pupil_id, was in (
        incident.entries.filter(kind=EntryKind.PUPIL_ROLE).order_by("seq").values_list("data__pupil", "data__was")
    ):
        first_roles.setdefault(pupil_id, was)
    return [{"pupil": link.pupil, "role": PupilRole(first_roles.get(link.pupil_id, link.role)).label} for link in links]


def reported_category(*, incident: Incident) -> str:
    """The category as the reporter chose it (the DSL team may have corrected the case's since)."""
    original = incident.entries.filter(kind=EntryKind.REPORTED).values_list("data__category", flat=True).first()
    return str(Category(original).label) if original in Category.values else incident.get_category_display()


def own_additions(*, incident: Incident, user) -> list[TimelineEntry]:
    """What the reporter added to their report afterwards (their own entries only)."""
    return list(incident.entries.filter(kind=EntryKind.FURTHER_INFO, author=user).order_by("at"))


def pupil_corrections(*, timeline: list[TimelineEntry]) -> dict[int, list[TimelineEntry]]:
    """pupil id -> the entries that changed their part or took them off, oldest first."""
    changes: dict[int, list[TimelineEntry]] = {}
    for e in timeline:
        if e.kind in (EntryKind.PUPIL_ROLE, EntryKind.PUPIL_REMOVED) and e.data.get("pupil"):
            changes.setdefault(e.data["pupil"], []).append(e)
    return changes


def saved_filters(*, portal) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(school=portal.school, user=portal.user)

"""Cases counted per school and state, and per week reported, kept on write: the dashboard's badges and its
12-week trend read a few hundred rows of ``CaseCount`` instead of counting a school's years of cases after
every change.

Every write that creates a case or moves one of the columns a count depends on goes through here, in the
same transaction as the change: ``Incident.save()`` (the services' only way to write the projection columns)
and ``IncidentQuerySet.update()`` call ``moved()``. A row is only ever added to with a signed delta, all of a
change's rows in one upsert (a new report's state and week: one statement), in key order, and two reports
counted in one state wait on that row for a moment rather than miscount.

Key order within one statement is not enough on its own: a transaction may move counts twice (a report whose
entry completes a procedure step counts the new case, then moves it when its open steps change), and a report
used to count its new case before its timeline append while a DSL's action counts after its own. So a report
held the "reported" state's row and waited for the school's chain head, while an acknowledgement held the chain
head and waited for that row: a deadlock. Every change now moves counts after its timeline append, that is
while it holds the school's chain head (audit.chain), so a school's count rows are only ever taken under that
one lock, and no two transactions hold a school's rows at once, whatever order or however many times they move
them. (A bare ``Incident.objects....update()`` of a counted column, with no timeline entry, is the one path
not under the chain head.)

Rows written past the model (``bulk_create``, COPY, raw SQL) are not counted: the benches' loader recounts
after its COPY, and nothing else in the portal writes cases that way.

A row is either a state (``week`` is ``NO_WEEK``) or a week reported (the state columns blank). What cannot be
kept this way is counted live from small partial indexes: the "overdue" queue (it moves with the calendar,
not with a write) and allegations the DSL team sees because they were shared with it (a timeline entry
decides that, per case). ``recount()`` (``manage.py recount_cases``) rebuilds the rows from the cases
themselves: after a bulk load (the benches' COPY), or to mend drift that ``--check`` reports.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

NO_WEEK = datetime.date(1, 1, 1)  # a state row's week

# Incident's columns a count depends on, and the parts of the key each one gives.
KEY_OF_FIELD = {
    "school": "school_id",
    "school_id": "school_id",
    "route": "route",
    "subject_staff": "subject",
    "subject_staff_id": "subject",
    "reported_at": "week",
    "status": "status",
    "category": "category",
    "acknowledged_at": "acknowledged",
    "immediate_risk": "immediate_risk",
    "open_mandatory_steps": "steps_open",
    "assigned_to": "assigned",
    "assigned_to_id": "assigned",
}
COUNTED_FIELDS = frozenset(KEY_OF_FIELD)
# The Incident columns the keys are made from, in the order ``keys_of_row`` takes them.
ROW_FIELDS = (
    "school_id",
    "route",
    "subject_staff_id",
    "reported_at",
    "status",
    "category",
    "acknowledged_at",
    "immediate_risk",
    "open_mandatory_steps",
    "assigned_to_id",
)
COLUMNS = (
    "school_id",
    "route",
    "subject",
    "week",
    "status",
    "category",
    "acknowledged",
    "immediate_risk",
    "steps_open",
    "assigned",
)


class Key(NamedTuple):
    school_id: int
    route: str
    subject: int  # the member of staff an allegation is about, 0 for none
    week: datetime.date  # Monday of the week reported (local time), NO_WEEK for a state
    status: str
    category: str
    acknowledged: bool
    immediate_risk: bool
    steps_open: bool  # open_mandatory_steps > 0
    assigned: int  # 0 for nobody


def week_of(at: datetime.datetime) -> datetime.date:
    day = timezone.localtime(at).date()
    return day - datetime.timedelta(days=day.weekday())


def keys_of_row(
    school_id,
    route,
    subject_staff_id,
    reported_at,
    status,
    category,
    acknowledged_at,
    immediate_risk,
    open_mandatory_steps,
    assigned_to_id,
) -> tuple[Key, Key]:
    """A case's state and its week."""
    state = Key(
        school_id,
        route,
        subject_staff_id or 0,
        NO_WEEK,
        status,
        category,
        acknowledged_at is not None,
        bool(immediate_risk),
        (open_mandatory_steps or 0) > 0,
        assigned_to_id or 0,
    )
    week = Key(school_id, route, subject_staff_id or 0, week_of(reported_at), "", "", False, False, False, 0)
    return state, week


def keys_of(incident) -> tuple[Key, Key]:
    return keys_of_row(*(getattr(incident, f) for f in ROW_FIELDS))


def touches_counts(fields: Iterable[str] | None) -> bool:
    return fields is None or bool(COUNTED_FIELDS & set(fields))


def apply(deltas: Counter) -> None:
    """Adds each key's delta to its row (creating it), in key order, in one statement; zero deltas skipped.

    The rows never go below zero (``CaseCount``'s CHECK): a case leaving a state it was never counted in is drift,
    and the change fails rather than hide it. PostgreSQL and SQLite test a CHECK on an upsert's candidate row
    before they find the conflict, so a delta below zero is never the candidate's count: the candidate carries
    the delta or zero, whichever is greater, and the update takes the signed delta from the statement's own list
    of changes (a new report's two +1s keep the plain form)."""
    from .models import CaseCount

    changes = sorted((key, n) for key, n in deltas.items() if n)
    if not changes:
        return
    table = connection.ops.quote_name(CaseCount._meta.db_table)
    columns = ", ".join(COLUMNS)
    row = "(" + ", ".join(["%s"] * (len(COLUMNS) + 1)) + ")"
    params: list = []
    for key, n in changes:
        params.extend([*key, n])
    rows = ", ".join([row] * len(changes))
    if all(n > 0 for _, n in changes):
        # ON CONFLICT ... DO UPDATE in PostgreSQL and SQLite 3.24+.
        sql = (
            f"INSERT INTO {table} ({columns}, n) VALUES {rows} "  # noqa: S608 (our own columns; values are params)
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n"
        )
    else:
        same_key = " AND ".join(f"change.{c} = excluded.{c}" for c in COLUMNS)
        # "WHERE true": SQLite's grammar needs it between an INSERT's SELECT and its ON CONFLICT. The rows are
        # inserted in the order of the list (key order), as in the plain form.
        sql = (
            f"WITH change ({columns}, delta) AS (VALUES {rows}) "  # noqa: S608 (our own columns; values are params)
            f"INSERT INTO {table} ({columns}, n) "
            f"SELECT {columns}, CASE WHEN delta > 0 THEN delta ELSE 0 END FROM change WHERE true "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + (SELECT change.delta FROM change WHERE {same_key})"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def moved(before: Iterable[Key], after: Iterable[Key]) -> None:
    """Cases left the ``before`` rows and are now counted in the ``after`` ones (either may be empty)."""
    deltas: Counter = Counter()
    for key in before:
        deltas[key] -= 1
    for key in after:
        deltas[key] += 1
    apply(deltas)


def current_keys(pks: Iterable[int], *, lock: bool) -> dict[int, tuple[Key, Key]]:
    """The cases' keys as the database holds them now; ``lock`` takes their rows until COMMIT first, so no
    other transaction moves them between this read and the caller's write."""
    from .models import Incident

    qs = Incident.objects.filter(pk__in=list(pks)).order_by("pk")
    if lock:
        qs = qs.select_for_update()
    return {row[0]: keys_of_row(*row[1:]) for row in qs.values_list("pk", *ROW_FIELDS)}


def live_keys(school_ids: Iterable[int] | None = None, *, incident_model=None) -> Counter:
    """The counts as the cases themselves give them (two grouped reads)."""
    if incident_model is None:
        from .models import Incident as incident_model
    qs = incident_model.objects.all()
    if school_ids is not None:
        qs = qs.filter(school_id__in=list(school_ids))
    qs = qs.order_by()
    found: Counter = Counter()
    states = (
        qs.annotate(
            counted_ack=ExpressionWrapper(Q(acknowledged_at__isnull=False), output_field=BooleanField()),
            counted_steps_open=ExpressionWrapper(Q(open_mandatory_steps__gt=0), output_field=BooleanField()),
        )
        .values_list(
            "school_id",
            "route",
            "subject_staff_id",
            "status",
            "category",
            "counted_ack",
            "immediate_risk",
            "counted_steps_open",
            "assigned_to_id",
        )
        .annotate(n=Count("*"))
    )
    for sid, route, subject, status, category, ack, urgent, steps, assigned, n in states:
        found[
            Key(
                sid, route, subject or 0, NO_WEEK, status, category, bool(ack), bool(urgent), bool(steps), assigned or 0
            )
        ] += n
    weeks = (
        qs.annotate(week=TruncWeek("reported_at"))
        .values_list("school_id", "route", "subject_staff_id", "week")
        .annotate(n=Count("*"))
    )
    for sid, route, subject, week, n in weeks:
        week = week.date() if isinstance(week, datetime.datetime) else week
        found[Key(sid, route, subject or 0, week, "", "", False, False, False, 0)] += n
    return found


def stored_keys(school_ids: Iterable[int] | None = None) -> Counter:
    from .models import CaseCount

    qs = CaseCount.objects.all()
    if school_ids is not None:
        qs = qs.filter(school_id__in=list(school_ids))
    found: Counter = Counter()
    for *key, n in qs.values_list(*COLUMNS, "n"):
        if n:
            found[Key(*key)] += n
    return found


def drift(school_ids: Iterable[int] | None = None) -> dict[Key, tuple[int, int]]:
    """Keys whose stored count differs from the cases': {key: (stored, counted)}."""
    ids = None if school_ids is None else list(school_ids)
    stored, live = stored_keys(ids), live_keys(ids)
    return {k: (stored[k], live[k]) for k in set(stored) | set(live) if stored[k] != live[k]}


def write_counts(model, found: Counter) -> int:
    rows = [model(**dict(zip(COLUMNS, key, strict=True)), n=n) for key, n in found.items() if n]
    model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def recount(school_ids: Iterable[int] | None = None) -> int:
    """Rebuilds the stored counts from the cases (all schools, or those given); returns the rows written.

    On PostgreSQL the incidents table is held in SHARE mode meanwhile: reads go on, writes to cases wait the
    few seconds this takes, so no change falls between the count and the rows replacing the old ones."""
    from .models import CaseCount, Incident

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Incident._meta.db_table)} IN SHARE MODE")
    ids = None if school_ids is None else list(school_ids)
    live = live_keys(ids)
    (CaseCount.objects.all() if ids is None else CaseCount.objects.filter(school_id__in=ids)).delete()
    return write_counts(CaseCount, live)

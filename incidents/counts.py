"""Cases counted per school and state, kept on write: the dashboard's badges read a few hundred rows of
``CaseCount`` instead of counting a school's years of cases after every change.

Every write that creates a case or moves one of the columns a count depends on goes through here, in the
same transaction as the change: ``Incident.save()`` (the services' only way to write the projection columns)
and ``IncidentQuerySet.update()`` call ``moved()``. A row is only ever added to with a signed delta in one
upsert, so two transactions counting the same state wait on that row for a moment rather than miscounting;
the deltas of one change are applied in key order, so two changes never take the same rows in opposite
order (no deadlock).

What cannot be kept this way is counted live, from small partial indexes: the "overdue" queue (it moves with
the calendar, not with a write) and allegations the DSL team sees because they were shared with it (a
timeline entry decides that, per case). ``recount()`` (``manage.py recount_cases``) rebuilds the rows from the
cases themselves: after a bulk load (the benches' COPY) or to repair; ``--check`` reports drift first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q

# Incident's columns a count depends on, and the part of the key each one gives.
KEY_OF_FIELD = {
    "school": "school_id", "school_id": "school_id", "route": "route", "subject_staff": "subject",
    "subject_staff_id": "subject", "status": "status", "category": "category", "acknowledged_at": "acknowledged",
    "immediate_risk": "immediate_risk", "open_mandatory_steps": "steps_open", "assigned_to": "assigned",
    "assigned_to_id": "assigned",
}
COUNTED_FIELDS = frozenset(KEY_OF_FIELD)
# The Incident columns a key is made from, in the order ``Key.of_row`` takes them.
ROW_FIELDS = ("school_id", "route", "subject_staff_id", "status", "category", "acknowledged_at", "immediate_risk",
              "open_mandatory_steps", "assigned_to_id")


class Key(NamedTuple):
    school_id: int
    route: str
    subject: int  # the member of staff an allegation is about, 0 for none
    status: str
    category: str
    acknowledged: bool
    immediate_risk: bool
    steps_open: bool  # open_mandatory_steps > 0
    assigned: int  # 0 for nobody

    @classmethod
    def of_row(cls, school_id, route, subject_staff_id, status, category, acknowledged_at, immediate_risk,
               open_mandatory_steps, assigned_to_id) -> Key:
        return cls(school_id, route, subject_staff_id or 0, status, category, acknowledged_at is not None,
                   bool(immediate_risk), (open_mandatory_steps or 0) > 0, assigned_to_id or 0)

    @classmethod
    def of(cls, incident) -> Key:
        return cls.of_row(*(getattr(incident, f) for f in ROW_FIELDS))


def written(before: Key, instance, fields: Iterable[str]) -> Key:
    """``before`` with the parts of the key that ``fields`` of ``instance`` were just written to."""
    parts = {KEY_OF_FIELD[f] for f in fields if f in KEY_OF_FIELD}
    now = Key.of(instance)
    return before._replace(**{name: getattr(now, name) for name in parts})


def touches_counts(fields: Iterable[str] | None) -> bool:
    return fields is None or bool(COUNTED_FIELDS & set(fields))


def apply(deltas: Counter) -> None:
    """Adds each key's delta to its row (creating it), in key order; zero deltas are skipped."""
    from .models import CaseCount

    changes = sorted((key, n) for key, n in deltas.items() if n)
    if not changes:
        return
    table = connection.ops.quote_name(CaseCount._meta.db_table)
    columns = ("school_id", "route", "subject", "status", "category", "acknowledged", "immediate_risk",
               "steps_open", "assigned", "n")
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for key, n in changes:
        params.extend([*key, n])
    # One statement for all of a change's rows. ON CONFLICT ... DO UPDATE in PostgreSQL and SQLite 3.24+.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(changes))} "  # noqa: S608
        f"ON CONFLICT ({', '.join(columns[:-1])}) DO UPDATE SET n = {table}.n + excluded.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def moved(before: Iterable[Key], after: Iterable[Key]) -> None:
    """Cases left the ``before`` states and are now in the ``after`` ones (either may be empty)."""
    deltas: Counter = Counter()
    for key in before:
        deltas[key] -= 1
    for key in after:
        deltas[key] += 1
    apply(deltas)


def current_keys(pks: Iterable[int], *, lock: bool) -> dict[int, Key]:
    """The cases' keys as the database holds them now; ``lock`` takes their rows until COMMIT first, so no
    other transaction moves them between this read and the caller's write."""
    from .models import Incident

    qs = Incident.objects.filter(pk__in=list(pks)).order_by("pk")
    if lock:
        qs = qs.select_for_update()
    return {row[0]: Key.of_row(*row[1:]) for row in qs.values_list("pk", *ROW_FIELDS)}


def live_keys(school_ids: Iterable[int] | None = None) -> Counter:
    """The counts as the cases themselves give them (one grouped read)."""
    from .models import Incident

    qs = Incident.objects.all()
    if school_ids is not None:
        qs = qs.filter(school_id__in=list(school_ids))
    flags = {
        "acknowledged": ExpressionWrapper(Q(acknowledged_at__isnull=False), output_field=BooleanField()),
        "steps_open": ExpressionWrapper(Q(open_mandatory_steps__gt=0), output_field=BooleanField()),
    }
    rows = (
        qs.order_by().annotate(**flags)
        .values_list("school_id", "route", "subject_staff_id", "status", "category", "acknowledged",
                     "immediate_risk", "steps_open", "assigned_to_id")
        .annotate(n=Count("pk"))
    )
    found: Counter = Counter()
    for *key, n in rows:
        sid, route, subject, status, category, acknowledged, urgent, steps_open, assigned = key
        found[Key(sid, route, subject or 0, status, category, bool(acknowledged), bool(urgent), bool(steps_open),
                  assigned or 0)] += n
    return found


def stored_keys(school_ids: Iterable[int] | None = None) -> Counter:
    from .models import CaseCount

    qs = CaseCount.objects.all()
    if school_ids is not None:
        qs = qs.filter(school_id__in=list(school_ids))
    found: Counter = Counter()
    for row in qs.values_list("school_id", "route", "subject", "status", "category", "acknowledged",
                              "immediate_risk", "steps_open", "assigned", "n"):
        if row[-1]:
            found[Key(*row[:-1])] += row[-1]
    return found


def drift(school_ids: Iterable[int] | None = None) -> dict[Key, tuple[int, int]]:
    """Keys whose stored count differs from the cases': {key: (stored, counted)}."""
    ids = None if school_ids is None else list(school_ids)
    stored, live = stored_keys(ids), live_keys(ids)
    return {k: (stored[k], live[k]) for k in set(stored) | set(live) if stored[k] != live[k]}


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
    old = CaseCount.objects.all() if ids is None else CaseCount.objects.filter(school_id__in=ids)
    old.delete()
    rows = [
        CaseCount(school_id=k.school_id, route=k.route, subject=k.subject, status=k.status, category=k.category,
                  acknowledged=k.acknowledged, immediate_risk=k.immediate_risk, steps_open=k.steps_open,
                  assigned=k.assigned, n=n)
        for k, n in live.items() if n
    ]
    CaseCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

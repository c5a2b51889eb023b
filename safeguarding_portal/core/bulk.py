"""Inserting many rows at once, fast on PostgreSQL.

``bulk_create`` prepares every value of every row through its field (``get_db_prep_save``), which for the
hundreds of thousands of reminders and "reminded" events of a start-of-year sweep costs more than the
database's own work. On PostgreSQL the values here go straight to psycopg2's ``execute_values`` (one
statement per page of rows); other databases (SQLite in development) use ``bulk_create``. Only plain field
types are handled: anything else falls back to ``bulk_create`` too, so the result is always the same rows.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone

# Field types whose Python value psycopg2 adapts exactly as Django would store it.
_PLAIN = (
    models.AutoField, models.BigAutoField, models.BooleanField, models.CharField, models.DateField,
    models.DateTimeField, models.EmailField, models.ForeignKey, models.IntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField, models.PositiveSmallIntegerField,
    models.SmallIntegerField, models.TextField, models.JSONField, models.UUIDField,
)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model], *, ignore_conflicts: bool = False,
                page_size: int = 5000) -> None:
    """INSERT ``objs`` (new instances, primary keys left to the database). Values are taken as they are set on
    the instances: callers build them complete, as ``bulk_create`` would need them too."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql" or not all(isinstance(f, _PLAIN) for f in fields):
        model.objects.bulk_create(objs, batch_size=page_size, ignore_conflicts=ignore_conflicts)
        return
    from psycopg2.extras import Json, execute_values

    converters = []
    stamp = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # As pre_save() does on insert: the time of writing, whatever the instance holds.
            converters.append(lambda v: stamp)
        elif isinstance(field, models.JSONField):
            converters.append(lambda v: Json(v))
        else:
            converters.append(lambda v: v.value if isinstance(v, enum.Enum) else v)
    attnames = [f.attname for f in fields]
    rows = [[convert(getattr(obj, name)) for name, convert in zip(attnames, converters, strict=True)]
            for obj in objs]
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata only; every value goes as a parameter.
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES %s"  # noqa: S608
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        execute_values(cursor.cursor if hasattr(cursor, "cursor") else cursor, sql, rows, page_size=page_size)

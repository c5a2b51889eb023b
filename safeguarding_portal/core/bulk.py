"""Inserting many rows at once, fast on PostgreSQL.

``bulk_create`` prepares every value of every row through its field (``get_db_prep_save``), which for the
hundreds of thousands of reminders of a start-of-year sweep (and a campaign's thousands of "sent" events)
costs more than the database's own work. On PostgreSQL the rows here are written as text straight into
``COPY ... FROM STDIN`` (one stream per page of rows, with no SQL to build or parse; psycopg2's
``execute_values`` spent longer formatting a quarter of a million rows than PostgreSQL spent storing them);
other databases (SQLite in development) use ``bulk_create``. Only plain field types are handled: anything
else falls back to ``bulk_create`` too, so the result is always the same rows.
"""

from __future__ import annotations

import datetime
import enum
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

# Field types whose Python value is written below exactly as Django would store it.
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.EmailField,
    models.ForeignKey,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
    models.JSONField,
    models.UUIDField,
    models.FileField,  # its name, as stored ("" for none)
)


def insert_rows(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    ignore_conflicts: bool = False,
    page_size: int = 5000,
    with_pk: bool = False,
) -> None:
    """INSERT ``objs`` (new instances, primary keys left to the database unless ``with_pk``: then each holds
    one taken with ``reserve_ids``). Values are taken as they are set on the instances: callers build them
    complete, as ``bulk_create`` would need them too."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    if connection.vendor != "postgresql" or not all(isinstance(f, _PLAIN) for f in fields):
        manager = model.objects  # type: ignore[attr-defined]  # every model written here keeps Django's "objects"
        manager.bulk_create(objs, batch_size=page_size, ignore_conflicts=ignore_conflicts)
        return
    stamp = timezone.now()
    encoders = [_encoder(field, stamp) for field in fields]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata only; every value goes through COPY's data stream.
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        target = table
        if ignore_conflicts:
            # COPY cannot skip conflicting rows: load a scratch table and insert from it with ON CONFLICT.
            target = quote(f"bulk_{model._meta.db_table}")
            raw.execute(f"CREATE TEMP TABLE {target} AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
        for start in range(0, len(objs), page_size):
            lines = [
                "\t".join([encode(getattr(obj, name)) for name, encode in zip(attnames, encoders, strict=True)])
                for obj in objs[start : start + page_size]
            ]
            raw.copy_expert(f"COPY {target} ({columns}) FROM STDIN", io.StringIO("\n".join(lines) + "\n"))
        if ignore_conflicts:
            raw.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} ON CONFLICT DO NOTHING"  # noqa: S608
            )
            raw.execute(f"DROP TABLE {target}")


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` primary keys from the table's sequence (PostgreSQL), for rows written with
    ``insert_rows(..., with_pk=True)`` whose ids are needed at once (to point other rows at them). None on
    other databases, where ``bulk_create`` sets the ids itself."""
    if connection.vendor != "postgresql" or count <= 0:
        return None
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _text(value: str) -> str:
    # Most values have nothing to escape; four membership tests cost less than one str.translate().
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _encoder(field: models.Field[Any, Any], stamp: datetime.datetime) -> Callable[[Any], str]:
    """How one column's Python value is written in COPY's text format (NULL is ``\\N``)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # As pre_save() does on insert: the time of writing, whatever the instance holds.
        written = stamp.isoformat()
        return lambda v: written
    if isinstance(field, models.JSONField):
        return lambda v: "\\N" if v is None and field.null else _text(json.dumps(v, cls=field.encoder))
    if isinstance(field, models.BooleanField):
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if isinstance(field, (models.DateTimeField, models.DateField)):
        return lambda v: "\\N" if v is None else v.isoformat()

    def plain(v: Any) -> str:
        if v is None:
            return "\\N"
        if isinstance(v, enum.Enum):
            v = v.value
        return _text(str(v))

    return plain

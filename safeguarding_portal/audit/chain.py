"""Hash chains for append-only records.

A model that inherits ``ChainedRecord`` is appended with ``append(record)``: the record gets the next
sequence number in its chain, the previous record's hash, and a SHA-256 over its own canonical payload
and that previous hash. Changing or removing any stored record breaks every later link, and
``verify(model)`` names the first broken one. Chains are per key (for example one per school) so that
schools do not queue behind each other and each school's log verifies on its own.

The incident timeline and the filtering log use the same mechanism with their own models.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery

from safeguarding_portal.core.bulk import insert_rows

GENESIS = "0" * 64


class AppendOnlyError(Exception):
    pass


class ChainHead(models.Model):
    """The latest link of each chain. Updating it first serialises concurrent appends to one chain."""

    model_label = models.CharField(max_length=100)
    chain = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        app_label = "audit"
        constraints = [models.UniqueConstraint(fields=["model_label", "chain"], name="chainhead_unique")]

    def __str__(self) -> str:
        return f"{self.model_label}[{self.chain}] #{self.seq}"


class ChainedQuerySet(models.QuerySet[Any]):
    """Bulk changes skip ``save()`` and ``delete()``, so they are refused here too (and by the database)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records are append-only: add a correction instead.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records are never deleted.")


class ChainedRecord(models.Model):
    chain = models.CharField(max_length=64, editable=False)
    seq = models.PositiveBigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False, unique=True)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    # Subclasses name the fields that the hash covers (everything that matters in court).
    HASHED_FIELDS: tuple[str, ...] = ()
    # Fields added to a model after records were written: hashed only when set, so every earlier link (written
    # before the field existed, and so empty in it) keeps the hash it was written with.
    HASHED_IF_SET: tuple[str, ...] = ()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name} records are append-only: add a correction instead.")
        if not self.hash:
            raise AppendOnlyError("Append chained records with audit.chain.append().")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self._meta.verbose_name} records are never deleted.")

    def chain_key(self) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.HASHED_FIELDS:
            data[name] = getattr(self, _attname(type(self), name))
        return with_set_fields(data, {n: getattr(self, _attname(type(self), n)) for n in self.HASHED_IF_SET})

    def compute_hash(self) -> str:
        return link_hash(self.prev_hash, self.seq, self.chain, self.payload())


_Record = TypeVar("_Record", bound=ChainedRecord)


def _attname(model: type[models.Model], name: str) -> str:
    """The column attribute of a hashed field (a foreign key's ``..._id``): hashed fields are concrete fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model._meta.label}.{name} is not a concrete field, so it cannot be hashed.")
    return field.attname


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # Stored precision differs by database; microseconds survive on both PostgreSQL and SQLite.
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def with_set_fields(data: dict[str, Any], optional: dict[str, Any]) -> dict[str, Any]:
    """``data`` and those of the ``HASHED_IF_SET`` values that are set (neither None nor empty)."""
    return {**data, **{name: value for name, value in optional.items() if value not in (None, "")}}


def link_hash(prev_hash: str, seq: int, chain: str, payload: dict[str, Any]) -> str:
    body = json.dumps(
        {"prev": prev_hash, "seq": seq, "chain": chain, "data": _canonical(payload)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# No savepoint when called inside a transaction (nearly always): two statements per append saved on every
# signing and every report. An error still aborts the caller's transaction, which rolls it all back.
@transaction.atomic(savepoint=False)
def append(record: _Record) -> _Record:
    model_label = record._meta.label
    chain = record.chain_key()
    head_pk, seq, last_hash = _take_next(model_label, chain)
    record.chain = chain
    record.seq = seq
    record.prev_hash = last_hash
    record.hash = record.compute_hash()
    record.save(force_insert=True)
    _set_last_hash(head_pk, record.hash)
    return record


# The head is taken and moved on every report, signing and opened link: plain SQL spares building the same ORM
# queries each time, while the head's lock is held.
def _take_next(model_label: str, chain: str, count: int = 1) -> tuple[int, int, str]:
    """Move the chain's head on by ``count`` links and read it back in one statement (UPDATE ... RETURNING, in
    PostgreSQL and SQLite 3.35+): the head's id, the last of the taken sequence numbers, and the hash of the
    link before the first. Writing first takes the row lock (PostgreSQL) or the database write lock (SQLite)
    before anything is read, so two appends can never both take the same sequence number. A chain's first
    append creates its head."""
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    sql = (
        f"UPDATE {table} SET seq = seq + %s WHERE model_label = %s AND chain = %s "  # noqa: S608 (table name only)
        "RETURNING id, seq, last_hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, model_label, chain])
        row = cursor.fetchone()
        if row is None:
            ChainHead.objects.get_or_create(model_label=model_label, chain=chain)
            cursor.execute(sql, [count, model_label, chain])
            row = cursor.fetchone()
    return row[0], row[1], row[2]


def _set_last_hash(head_pk: int, last_hash: str) -> None:
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_hash = %s WHERE id = %s", [last_hash, head_pk])  # noqa: S608


@transaction.atomic(savepoint=False)
def append_many(records: Sequence[_Record], *, batch_size: int = 2000, with_ids: bool = False) -> list[_Record]:
    """Append many records (a campaign's "sent" events, a signing's one signature per child) in order.

    ``append`` takes a chain's head once per record; for thousands of records of one school that is thousands
    of round trips. Here each chain's head is locked once, the links are hashed in order with the same
    ``link_hash`` and written in bulk, so ``verify`` checks them exactly like links appended one by one.
    ``with_ids`` (a few records whose ids other rows point at, such as a report's two entries) inserts them
    with one INSERT ... RETURNING instead of COPY, so each record has its primary key afterwards.
    """
    if not records:
        return []
    model = type(records[0])
    label = model._meta.label
    by_chain: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        by_chain[record.chain_key()].append(record)
    for key in sorted(by_chain):  # a fixed order, so two bulk appends never wait on each other's heads
        links = by_chain[key]
        head_pk, last_seq, prev = _take_next(label, key, len(links))
        for seq, record in enumerate(links, start=last_seq - len(links) + 1):
            record.chain, record.seq, record.prev_hash = key, seq, prev
            record.hash = record.compute_hash()
            prev = record.hash
        # A bulk insert skips ChainedRecord.save(); the hashes above are what save() insists on.
        if with_ids:
            model.objects.bulk_create(links, batch_size=batch_size)
        elif connection.vendor == "postgresql" and len(links) <= FEW_LINKS:
            _insert_and_set_last_hash(model, links, head_pk, prev)
            continue
        else:
            insert_rows(model, links, page_size=batch_size)
        _set_last_hash(head_pk, prev)
    return list(records)


# Up to this many links (a webhook post's events) go in with the head's last hash in one statement.
FEW_LINKS = 50


def _insert_and_set_last_hash(
    model: type[ChainedRecord], links: Sequence[ChainedRecord], head_pk: int, last: str
) -> None:
    """A few links and the head's new last hash in one round trip (PostgreSQL: an INSERT in a WITH runs to the
    end with the UPDATE), where COPY and then the UPDATE were two: the head is held one round trip less. The
    values are the ones COPY would write (each column's attribute, a foreign key's ``..._id``), prepared by each
    field as ``bulk_create`` prepares them."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(model)
    rows: list[models.Model] = list(links)
    query.insert_values(fields, rows)
    [(insert, params)] = query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    table, pk = quote(ChainHead._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        # RETURNING in the VALUES' order, as bulk_create relies on: each link has its id afterwards, as it would
        # from bulk_create (a signing points the children's consents at its signatures).
        cursor.execute(
            f"WITH links AS ({insert} RETURNING {pk}), "  # noqa: S608 (names only; values are parameters)
            f"head AS (UPDATE {table} SET last_hash = %s WHERE id = %s) SELECT {pk} FROM links",
            [*params, last, head_pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for link, link_id in zip(links, ids, strict=True):
        link.pk = link_id
        link._state.adding, link._state.db = False, connection.alias


def _disposed(model_label: str, chain_key: str | None) -> dict[Any, tuple[str, str]]:
    """The links of a chain disposed of under the retention schedule (their tombstones: retention.disposal);
    with no chain, one of the model's if it has any. Looked up by name: the audit foundation does not import
    the retention app."""
    from django.apps import apps

    if not apps.is_installed("safeguarding_portal.retention") or model_label == "retention.Tombstone":
        return {}
    tombstone = apps.get_model("retention", "Tombstone")
    rows = tombstone.objects.filter(record_model=model_label)
    rows = rows[:1] if chain_key is None else rows.filter(record_chain=chain_key)
    return {
        pk: (record_hash, residue)
        for pk, record_hash, residue in rows.values_list("record_id", "record_hash", "residue_hash")
    }


@dataclass
class Break:
    chain: str
    seq: int
    pk: Any
    reason: str

    def __str__(self) -> str:
        return f"chain {self.chain!r}, link #{self.seq} (id {self.pk}): {self.reason}"


def verify(model: type[ChainedRecord], chains: Iterable[str] | None = None) -> list[Break]:
    """Walk each chain in order; return the first break of every broken chain (empty when intact)."""
    label = model._meta.label
    heads = {h.chain: h for h in ChainHead.objects.filter(model_label=label)}
    chain_keys = (
        list(chains)
        if chains is not None
        else sorted(set(heads) | set(model.objects.values_list("chain", flat=True).distinct()))
    )
    # Plain rows, not model instances: the hashed columns as tuples, hashed by the same ``link_hash`` that
    # ``compute_hash`` uses (``payload`` reads the same attnames), about twice as fast on long chains.
    names = model.HASHED_FIELDS
    optional = model.HASHED_IF_SET
    columns = [_attname(model, n) for n in (*names, *optional)]
    any_disposed = bool(_disposed(label, None))

    def payload_of(values: Sequence[Any]) -> dict[str, Any]:
        return with_set_fields(
            dict(zip(names, values[: len(names)], strict=True)), dict(zip(optional, values[len(names) :], strict=True))
        )

    breaks: list[Break] = []
    for chain in chain_keys:
        expected_prev, expected_seq, found = GENESIS, 1, None
        disposed = _disposed(label, chain) if any_disposed else {}
        rows = (
            model.objects.filter(chain=chain)
            .order_by("seq")
            .values_list("pk", "seq", "prev_hash", "hash", *columns)
            .iterator(chunk_size=5000)
        )
        for pk, seq, prev_hash, digest, *values in rows:
            if seq != expected_seq:
                found = Break(chain, expected_seq, pk, f"link #{expected_seq} is missing (next is #{seq})")
            elif prev_hash != expected_prev:
                found = Break(chain, seq, pk, "does not point at the link before it")
            elif pk in disposed:
                # Disposed of under the retention schedule: its content is gone, so its hash cannot be recomputed.
                # It must still be the hash its tombstone recorded (the next link points at it), and what is left
                # must be exactly what the disposal left (the residue's hash).
                record_hash, residue = disposed[pk]
                if digest != record_hash:
                    found = Break(chain, seq, pk, "a disposed record's hash differs from its tombstone's")
                elif link_hash(prev_hash, seq, chain, payload_of(values)) != residue:
                    found = Break(chain, seq, pk, "what is left of a disposed record was changed")
            elif link_hash(prev_hash, seq, chain, payload_of(values)) != digest:
                found = Break(chain, seq, pk, "its contents were changed after it was written")
            if found:
                break
            expected_prev, expected_seq = digest, seq + 1
        head = heads.get(chain)
        if not found and head and head.seq != expected_seq - 1:
            found = Break(chain, expected_seq, None, f"links after #{expected_seq - 1} were removed")
        elif not found and head and head.last_hash != expected_prev:
            # Every link checks out against its own hash, but not against the head: the last link was
            # rewritten together with its hash.
            reason = "the last link differs from the one recorded when it was written"
            found = Break(chain, expected_seq - 1, None, reason)
        if found:
            breaks.append(found)
    return breaks

"""Serialising a job across processes for the length of a transaction."""

from __future__ import annotations

from django.db import connection


def hold_for_transaction(name: str) -> None:
    """Wait until no other transaction holds ``name``, then hold it until this transaction ends.

    For jobs that read what is already done and then write the rest (a daily sweep run by two beat
    processes, or a retry overlapping a slow first run): the second waits, then reads the first one's rows.
    PostgreSQL uses a transaction-level advisory lock; SQLite already lets one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("hold_for_transaction() needs a transaction: the lock is released when it ends.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])

"""After disposal the hash chains still verify: each blanked timeline entry keeps its hash and links, and its
tombstone (itself in a chain) vouches for it; ``verify_chains`` and the audit log's check pass. Any other change is
still refused by the database, or found: rewriting what is left of a disposed entry, an UPDATE of an entry with no
tombstone, the ORM. Runs on SQLite and, in CI's PostgreSQL stage, against the triggers there."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from incidents.models import Incident, TimelineEntry
from safeguarding_portal.audit import chain
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch, Tombstone

from . import clock
from .retention_helpers import YOUNG, closed_case, pupil, swept

pytestmark = [pytest.mark.django_db(transaction=False), clock.frozen("2026-12-01 09:00")]


def _dispose(school, dsl, head):
    swept()
    batch = DisposalBatch.objects.get(school=school)
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)


def _raw_update(table: str, column: str, value, pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_verify_chains_passes_after_disposal(client, signed_in, school, staff, dsl, head):
    gone = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    kept = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school, YOUNG)])  # later links
    _dispose(school, dsl, head)
    entries = TimelineEntry.objects.filter(incident=gone)
    assert entries.count() > 2 and not entries.exclude(text="").exists()
    assert TimelineEntry.objects.filter(incident=kept).exclude(text="").exists()
    assert Tombstone.objects.filter(record_model="incidents.TimelineEntry").count() == entries.count()

    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=out)
    report = out.getvalue()
    assert "incidents.TimelineEntry: intact" in report and "retention.Tombstone: intact" in report
    assert not chain.verify(TimelineEntry)

    signed_in(dsl)
    page = client.get(reverse("audit:log") + "?verify=1").content.decode()
    assert 'data-testid="chain-ok"' in page


def test_what_is_left_of_a_disposed_entry_cannot_be_rewritten_unnoticed(school, staff, dsl, head):
    gone = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    _dispose(school, dsl, head)
    entry = TimelineEntry.objects.filter(incident=gone).order_by("seq").first()
    # The triggers let a tombstoned row's content columns through (that is how it was blanked)...
    with transaction.atomic():
        _raw_update("incidents_timelineentry", "text", "Written back in afterwards", entry.pk)
        breaks = chain.verify(TimelineEntry)
        assert [b.reason for b in breaks] == ["what is left of a disposed record was changed"]
        transaction.set_rollback(True)
    # ...but never its links.
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_update("incidents_timelineentry", "hash", "0" * 64, entry.pk)


def test_a_record_without_a_tombstone_cannot_be_blanked(school, staff, dsl):
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    entry = TimelineEntry.objects.filter(incident=case).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_update("incidents_timelineentry", "text", "", entry.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_update("incidents_incident", "description", "", case.pk)
    with pytest.raises(chain.AppendOnlyError):
        disposal.blank(entry, {"text": ""})
    with pytest.raises(chain.AppendOnlyError):
        TimelineEntry.objects.filter(pk=entry.pk).update(text="")
    assert Incident.objects.get(pk=case.pk).description == "Amelia said her stepfather hit her."
    assert not chain.verify(TimelineEntry)


def test_verify_chains_fails_when_a_tombstone_is_removed(school, staff, dsl, head):
    """The tombstone chain is append-only too: without its tombstone a blanked entry is a changed one."""
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    _dispose(school, dsl, head)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            _raw_delete_first()
    else:  # SQLite's guard against DELETE is the model's; a raw DELETE gets through and verify finds it
        with transaction.atomic():
            _raw_delete_first()
            with pytest.raises(CommandError):
                call_command("verify_chains", stdout=StringIO(), stderr=StringIO())
            transaction.set_rollback(True)


def _raw_delete_first() -> None:
    first = (
        Tombstone.objects.filter(record_model="incidents.TimelineEntry")
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM retention_tombstone WHERE id = %s", [first])

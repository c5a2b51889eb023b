"""The filtering log is append-only (ORM and database) and tampering below them is named by the verify commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from filtering.models import FilterEvent, State
from safeguarding_portal.audit.chain import AppendOnlyError

from .factories_filtering import make_change

pytestmark = pytest.mark.django_db
TABLE = "filtering_filterevent"


def _sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def drop_triggers() -> None:
    """What an attacker with the database owner's rights would do first."""
    if connection.vendor == "postgresql":
        _sql(f"DROP TRIGGER {TABLE}_no_update ON {TABLE}")
        _sql(f"DROP TRIGGER {TABLE}_no_delete ON {TABLE}")
    else:
        _sql(f"DROP TRIGGER {TABLE}_no_update")


@pytest.fixture
def logged(school, staff, head, technician):
    make_change(school=school, requester=staff, approver=head, technician=technician, state=State.REVERTED)
    return list(FilterEvent.objects.order_by("seq"))


def test_the_orm_and_the_database_refuse_changes(logged):
    event = logged[2]
    event.summary = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        FilterEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE filtering_filterevent SET summary = %s WHERE id = %s", ["rewritten", event.pk])
    assert FilterEvent.objects.get(pk=event.pk).summary != "rewritten"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite (development only) has no DELETE trigger")
def test_the_database_refuses_a_delete_on_postgresql(logged):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM filtering_filterevent WHERE id = %s", [logged[1].pk])


def test_an_intact_log_verifies(logged):
    out = StringIO()
    call_command("verify_chains", model=["filtering.FilterEvent"], stdout=out)
    assert f"filtering.FilterEvent: intact ({len(logged)} records)" in out.getvalue()


def test_a_rewritten_approval_is_named_by_its_link(school, logged):
    approval = next(e for e in logged if e.kind == "approved")
    drop_triggers()
    _sql("UPDATE filtering_filterevent SET summary = %s WHERE id = %s", ["approved by the governors", approval.pk])

    err = StringIO()
    with pytest.raises(CommandError, match=r"1 chain\(s\) broken"):
        call_command("verify_chains", model=["filtering.FilterEvent"], stderr=err)
    assert f"chain 'school:{school.pk}', link #{approval.seq}" in err.getvalue()
    assert "contents were changed" in err.getvalue()
    assert school.name in err.getvalue()

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_chains", stderr=err, stdout=StringIO())
    assert f"filtering.FilterEvent: chain 'school:{school.pk}', link #{approval.seq}" in err.getvalue()


def test_the_verifier_hashes_rows_as_the_records_hash_themselves(school, logged):
    # chain.verify reads plain rows for speed: they must hash exactly as each record's compute_hash does,
    # including the JSON data, so an intact log passes and a forged reason is named at its own link.
    from safeguarding_portal.audit import chain

    assert all(e.compute_hash() == e.hash for e in FilterEvent.objects.all())
    assert chain.verify(FilterEvent) == []
    drop_triggers()
    _sql("UPDATE filtering_filterevent SET data = %s WHERE id = %s", ['{"reason": "forged"}', logged[3].pk])
    breaks = chain.verify(FilterEvent)
    assert [(b.seq, b.reason) for b in breaks] == [(logged[3].seq, "its contents were changed after it was written")]


def test_a_removed_event_is_named(school, logged):
    drop_triggers()
    _sql("DELETE FROM filtering_filterevent WHERE id = %s", [logged[1].pk])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_chains", model=["filtering.FilterEvent"], stderr=err)
    assert "link #2 is missing" in err.getvalue()


def test_one_schools_log_is_verified_by_its_urn(school, other_school, logged):
    approval = next(e for e in logged if e.kind == "approved")
    drop_triggers()
    _sql("UPDATE filtering_filterevent SET summary = %s WHERE id = %s", ["approved by the governors", approval.pk])

    out = StringIO()
    call_command("verify_chains", model=["filtering.FilterEvent"], school=other_school.urn, stdout=out)
    assert "filtering.FilterEvent: intact (0 records)" in out.getvalue()
    with pytest.raises(CommandError, match="No school with URN 999999"):
        call_command("verify_chains", school="999999")
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 chain\(s\) broken"):
        call_command("verify_chains", model=["filtering.FilterEvent"], school=school.urn, stderr=err)
    assert f"chain 'school:{school.pk}', link #{approval.seq}" in err.getvalue()

"""Someone with database access who changes or removes audit rows is caught, down to the link.

The database refuses UPDATE on audit rows (and DELETE on PostgreSQL), so the tests first prove that, then
play an attacker who can drop those triggers, and check that ``verify()``, ``manage.py verify_chains
--model audit.AuditEvent`` and the audit log page name the chain and the first broken link. Trigger changes
happen inside the test's transaction and are rolled back with it.
"""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.services import audit_record

pytestmark = pytest.mark.django_db

TABLE = "audit_auditevent"  # spelled out in the raw SQL below


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def drop_append_only_triggers() -> None:
    """What an attacker with the database owner's rights would do first."""
    assert AuditEvent._meta.db_table == TABLE
    if connection.vendor == "postgresql":
        _sql(f"DROP TRIGGER {TABLE}_no_update ON {TABLE}")
        _sql(f"DROP TRIGGER {TABLE}_no_delete ON {TABLE}")
    elif connection.vendor == "sqlite":
        _sql(f"DROP TRIGGER {TABLE}_no_update")
    else:
        pytest.fail(f"no append-only triggers known for {connection.vendor}")


@pytest.fixture
def oak_log(school, other_school):
    """Four events at Oakfield, with Hillside's and global events in between."""
    events = []
    for n in range(4):
        events.append(audit_record(action=AuditAction.SCHOOL_UPDATED, school=school, summary=f"Oak change {n + 1}"))
        audit_record(action=AuditAction.SCHOOL_UPDATED, school=other_school, summary=f"Hill change {n + 1}")
    audit_record(action=AuditAction.SIGNED_IN, summary="global")
    return events


def _broken() -> list[tuple[str, int]]:
    return [(b.chain, b.seq) for b in chain.verify(AuditEvent)]


def test_the_database_refuses_to_update_an_audit_row(oak_log):
    target = oak_log[1]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["nothing to see", target.pk])

    assert AuditEvent.objects.get(pk=target.pk).summary == "Oak change 2"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite (development only) has no DELETE trigger")
def test_the_database_refuses_to_delete_an_audit_row_on_postgresql(oak_log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM audit_auditevent WHERE id = %s", [oak_log[1].pk])

    assert AuditEvent.objects.filter(pk=oak_log[1].pk).exists()


def test_a_changed_row_is_named_by_chain_and_link(school, oak_log):
    drop_append_only_triggers()
    _sql("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["nothing to see", oak_log[1].pk])

    breaks = chain.verify(AuditEvent)

    assert [(b.chain, b.seq, b.pk) for b in breaks] == [(f"school:{school.pk}", 2, oak_log[1].pk)]
    assert breaks[0].reason == "its contents were changed after it was written"


def test_the_command_names_the_first_broken_link_and_fails(school, oak_log):
    drop_append_only_triggers()
    _sql("UPDATE audit_auditevent SET actor_email = %s WHERE id = %s", ["someone.else@oak.example", oak_log[2].pk])
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 chain\(s\) broken"):
        call_command("verify_chains", model=["audit.AuditEvent"], stderr=err)

    assert f"BROKEN audit.AuditEvent: chain 'school:{school.pk}', link #3 (id {oak_log[2].pk})" in err.getvalue()


def test_the_command_checks_only_the_chains_asked_for(school, other_school, oak_log):
    drop_append_only_triggers()
    _sql("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["x", oak_log[0].pk])
    out = StringIO()

    call_command("verify_chains", model=["audit.AuditEvent"], chain=[f"school:{other_school.pk}"], stdout=out)

    assert "intact" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("verify_chains", model=["audit.AuditEvent"], chain=[f"school:{school.pk}"], stderr=StringIO())


def test_rehashing_a_changed_row_breaks_the_next_link(school, oak_log):
    drop_append_only_triggers()
    forged = AuditEvent.objects.get(pk=oak_log[1].pk)
    forged.summary = "nothing to see"
    _sql(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        [forged.summary, forged.compute_hash(), forged.pk],
    )

    breaks = chain.verify(AuditEvent)

    assert [(b.chain, b.seq) for b in breaks] == [(f"school:{school.pk}", 3)]
    assert breaks[0].reason == "does not point at the link before it"


def test_rewriting_the_last_row_with_its_hash_is_caught_by_the_head(school, oak_log):
    drop_append_only_triggers()
    forged = AuditEvent.objects.get(pk=oak_log[3].pk)
    forged.summary = "nothing to see"
    _sql(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        [forged.summary, forged.compute_hash(), forged.pk],
    )

    breaks = chain.verify(AuditEvent)

    assert [(b.chain, b.seq) for b in breaks] == [(f"school:{school.pk}", 4)]
    assert breaks[0].reason == "the last link differs from the one recorded when it was written"


def test_a_deleted_middle_row_is_a_missing_link(school, oak_log):
    drop_append_only_triggers()
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [oak_log[1].pk])

    breaks = chain.verify(AuditEvent)

    assert [(b.chain, b.seq) for b in breaks] == [(f"school:{school.pk}", 2)]
    assert breaks[0].reason == "link #2 is missing (next is #3)"


def test_a_deleted_last_row_is_caught_by_the_head(school, oak_log):
    drop_append_only_triggers()
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [oak_log[3].pk])

    breaks = chain.verify(AuditEvent)

    assert [(b.chain, b.seq) for b in breaks] == [(f"school:{school.pk}", 4)]
    assert breaks[0].reason == "links after #3 were removed"


def test_a_forged_row_inserted_in_the_middle_is_caught(school, oak_log):
    drop_append_only_triggers()
    # Make room at #3 by renumbering the later rows, as an attacker slipping an entry in would.
    for event in sorted(oak_log[2:], key=lambda e: -e.seq):
        _sql("UPDATE audit_auditevent SET seq = seq + 1 WHERE id = %s", [event.pk])
    _sql(
        "INSERT INTO audit_auditevent (chain, seq, prev_hash, hash, at, actor_email, school_id, action, object_type, "
        "object_id, summary, user_agent, detail) VALUES (%s, 3, %s, %s, %s, '', %s, %s, '', '', %s, '', '{}')",
        [
            f"school:{school.pk}",
            oak_log[1].hash,
            hashlib.sha256(b"forged").hexdigest(),
            oak_log[1].at,
            school.pk,
            AuditAction.SCHOOL_UPDATED,
            "forged entry",
        ],
    )

    assert _broken() == [(f"school:{school.pk}", 3)]


def test_the_audit_log_page_reports_a_broken_chain(client, signed_in, dsl, school, oak_log):
    drop_append_only_triggers()
    _sql("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["nothing to see", oak_log[1].pk])
    signed_in(dsl)

    response = client.get(reverse("audit:log"), {"verify": "1"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="chain-broken"' in body
    assert f"chain &#x27;school:{school.pk}&#x27;, link #2" in body
    assert 'data-testid="chain-ok"' not in body


def test_the_triggers_are_back_after_each_test(oak_log):
    # Runs after the tests above (file order): their DROP TRIGGER was rolled back with their transaction.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["x", oak_log[0].pk])


def test_the_command_refuses_a_model_that_is_not_chained():
    with pytest.raises(CommandError, match=r"Not a chained model: schools\.School\..*audit\.AuditEvent"):
        call_command("verify_chains", model=["schools.School"])

"""The audit log under the retention schedule: an event older than the school's period (six years) is listed and,
with both approvals, loses its IP address, browser, summary, details and which pupil it was about; it keeps its
place in the hash chain, its time, actor and action, and the chain still verifies through its tombstone. Writing
into a disposed event afterwards is a break. The retention machinery's own events are never listed, however old;
nor are the events about a pupil under a legal hold."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention import services as retention_services
from safeguarding_portal.retention.models import DisposalBatch, DisposalItem, Tombstone

from . import clock
from .factories import PupilFactory

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]

KIND = "audit.log"
ORIGIN = Origin(ip="203.0.113.9", user_agent="Mozilla/5.0 (the DSL's laptop)")


@pytest.fixture
def old_events(school, dsl, time_machine):
    child = PupilFactory(school=school, legal_forename="Juniper", surname="Blackwood")
    held = PupilFactory(school=school, surname="Heldon")
    time_machine.move_to(clock.at("2019-05-07 10:00"), tick=False)
    made = {
        "viewed": audit_record(
            action=AuditAction.RECORD_VIEWED,
            origin=ORIGIN,
            actor=dsl,
            school=school,
            obj=child,
            summary="Viewed Juniper Blackwood's chronology",
            detail={"pupil": "Juniper Blackwood"},
        ),
        "held": audit_record(
            action=AuditAction.RECORD_VIEWED, origin=ORIGIN, actor=dsl, school=school, obj=held, summary="Viewed"
        ),
        "retention": audit_record(
            action="retention.period_changed", origin=ORIGIN, actor=dsl, school=school, summary="Schedule changed"
        ),
    }
    time_machine.move_to(clock.at("2026-11-30 10:00"), tick=False)
    made["recent"] = audit_record(
        action=AuditAction.RECORD_VIEWED, origin=ORIGIN, actor=dsl, school=school, obj=child, summary="Recent"
    )
    retention_services.hold_place(school=school, user=dsl, scope="pupil", pupil=held, reason="inquiry", detail="I-1")
    time_machine.move_to(clock.at("2026-12-01 09:00"), tick=False)
    return made


def _dispose(school, dsl, head):
    disposal.sweep(today=clock.at("2026-12-01 09:00").date(), force=True)
    batch = DisposalBatch.objects.get(school=school)
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)
    return batch


def test_only_old_unheld_events_outside_the_retention_trail_are_listed(school, dsl, old_events):
    disposal.sweep(today=clock.at("2026-12-01 09:00").date(), force=True)
    assert list(DisposalItem.objects.filter(kind=KIND).values_list("record_id", flat=True)) == [old_events["viewed"].pk]


def test_a_disposed_event_keeps_its_link_and_the_chain_verifies(client, signed_in, school, dsl, head, old_events):
    _dispose(school, dsl, head)
    gone = AuditEvent.objects.get(pk=old_events["viewed"].pk)
    assert (gone.ip, gone.user_agent, gone.summary, gone.detail, gone.object_id) == (None, "", "", {}, "")
    assert (gone.hash, gone.seq, gone.actor, gone.action, gone.object_type) == (
        old_events["viewed"].hash,
        old_events["viewed"].seq,
        dsl,
        AuditAction.RECORD_VIEWED,
        "schools.pupil",
    )
    assert Tombstone.objects.get(record_model="audit.AuditEvent").record_id == gone.pk
    for kept in ("held", "retention", "recent"):
        assert AuditEvent.objects.get(pk=old_events[kept].pk).ip == "203.0.113.9", kept
    # The disposal's own events came after, in the same chain, and are intact.
    assert AuditEvent.objects.filter(school=school, action=disposal.BATCH_DISPOSED).exists()
    assert not chain.verify(AuditEvent)

    signed_in(dsl)
    page = client.get(reverse("audit:log") + "?verify=1").content.decode()
    assert 'data-testid="chain-ok"' in page and "Juniper" not in page and "203.0.113.9" in page


def test_writing_into_a_disposed_event_is_a_break(school, dsl, head, old_events):
    _dispose(school, dsl, head)
    pk = old_events["viewed"].pk
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["Viewed Juniper", pk])
        breaks = chain.verify(AuditEvent)
        assert [(b.pk, b.reason) for b in breaks] == [(pk, "what is left of a disposed record was changed")]
        transaction.set_rollback(True)
    # Its links and what it kept are refused by the database outright, and an event with no tombstone still is.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["auth.signed_in", pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = '' WHERE id = %s", [old_events["recent"].pk])

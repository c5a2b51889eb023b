"""Appending to the audit log numbers each event within its chain and links it to the one before."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _events(chain_key: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=chain_key).order_by("seq"))


def test_each_chain_numbers_its_events_one_after_another(school, other_school):
    # Interleaved on purpose: one school's events must not take numbers from another's.
    for target in (school, other_school, None, school, school, other_school, None):
        audit_record(action=AuditAction.SCHOOL_UPDATED, school=target, summary="changed")

    assert [e.seq for e in _events(f"school:{school.pk}")] == [1, 2, 3]
    assert [e.seq for e in _events(f"school:{other_school.pk}")] == [1, 2]
    assert [e.seq for e in _events("global")] == [1, 2]


def test_each_event_points_at_the_hash_of_the_one_before(school):
    for n in range(4):
        audit_record(action=AuditAction.SCHOOL_UPDATED, school=school, summary=f"change {n}")

    events = _events(f"school:{school.pk}")

    assert events[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert len({e.hash for e in events}) == 4


def test_the_hash_covers_the_events_contents(school, dsl):
    event = audit_record(action=AuditAction.RECORD_VIEWED, school=school, actor=dsl, summary="Pupil record")
    stored = AuditEvent.objects.get(pk=event.pk)

    # Recomputed by hand, so a hash function that ignored the payload could not pass.
    body = json.dumps(
        {
            "prev": stored.prev_hash,
            "seq": stored.seq,
            "chain": stored.chain,
            "data": chain._canonical(stored.payload()),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert stored.hash == hashlib.sha256(body.encode()).hexdigest()
    assert stored.payload()["summary"] == "Pupil record"
    assert stored.payload()["actor"] == dsl.pk


def test_the_head_of_each_chain_follows_its_last_event(school):
    for _ in range(3):
        last = audit_record(action=AuditAction.SCHOOL_UPDATED, school=school)

    head = chain.ChainHead.objects.get(model_label="audit.AuditEvent", chain=f"school:{school.pk}")
    assert (head.seq, head.last_hash) == (3, last.hash)


def test_an_intact_log_verifies(school, other_school, capsys):
    for target in (school, other_school, None, school):
        audit_record(action=AuditAction.SCHOOL_UPDATED, school=target, detail={"fields": ["name"], "n": 1})

    assert chain.verify(AuditEvent) == []
    call_command("verify_chains", model=["audit.AuditEvent"])
    assert "audit.AuditEvent: intact (4 records)" in capsys.readouterr().out


def test_an_empty_log_verifies(db):
    assert chain.verify(AuditEvent) == []

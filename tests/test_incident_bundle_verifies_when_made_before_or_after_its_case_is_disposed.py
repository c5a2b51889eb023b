"""A transfer bundle and a case disposed of under the retention schedule: a bundle made before the disposal still
verifies on its own bytes (a receiving school's copy does not depend on the sender's database); a bundle made after
it verifies and carries nothing of the disposed case (it is no longer the pupil's); and a disposed timeline entry
that does reach a bundle carries its tombstone's residue, so it verifies, and a sender who writes content back into
it is named."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import bundles, transfer_bundles
from incidents.models import TimelineEntry
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch

from . import clock
from .bundle_helpers import produced
from .retention_helpers import YOUNG, closed_case, pupil, swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def _dispose(school, dsl, head):
    swept()
    batch = DisposalBatch.objects.get(school=school)
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)


def _bundle(school, dsl, child) -> tuple[bytes, str]:
    data, _, _, fingerprint = transfer_bundles.build_bytes(
        school=school, transfer=produced(school=school, dsl=dsl, pupil=child), by=dsl, to={}
    )
    return data, fingerprint


def test_a_bundle_made_before_or_after_the_disposal_verifies(school, staff, dsl, head):
    child = pupil(school, legal_forename="Ottilie")
    gone = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[child], text="Ottilie's uncle came to the gate.")
    # A case shared with a younger pupil is not due: the child's file still holds it after the disposal.
    kept = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[child, pupil(school, YOUNG)])
    before, fingerprint = _bundle(school, dsl, child)

    _dispose(school, dsl, head)

    then = bundles.verify(before, expected_fingerprint=fingerprint)
    assert then.ok, then.problems
    assert gone.reference in {r["data"].get("case") for r in then.records}

    after, fingerprint = _bundle(school, dsl, child)
    now = bundles.verify(after, expected_fingerprint=fingerprint)
    assert now.ok, now.problems
    cases = {r["data"].get("case") for r in now.records if r["type"] in ("case", "timeline_entry")}
    assert cases == {kept.reference}
    assert "uncle came to the gate" not in json.dumps(now.records)


def _signed(records: list[dict]) -> bytes:
    return bundles.build(
        private_key=Ed25519PrivateKey.generate(),
        pdf=b"%PDF-1.7 test",
        records=records,
        bundle_id="b",
        created_at=timezone.now(),
        deployment="https://portal.example",
        from_school={"name": "Oak", "urn": "100001"},
        sent_by={"name": "DSL", "email": "dsl@oak.example"},
        pupil={"upn": "A1"},
    )


def _entries(case) -> list[dict]:
    return transfer_bundles.mark_disposed(
        [
            bundles.item("timeline_entry", e.pk, {"case": case.reference, "case_id": case.pk, "text": e.text}, e)
            for e in TimelineEntry.objects.filter(incident=case).order_by("seq")
        ]
    )


def test_a_disposed_timeline_entry_in_a_bundle_carries_its_residue_and_verifies(school, staff, dsl, head):
    gone = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    _dispose(school, dsl, head)
    records = _entries(gone)
    assert records and all(r["origin"]["disposed"]["residue_hash"] for r in records)
    transfer_bundles._check_origins(records)  # the sender signs it
    result = bundles.verify(_signed(records))
    assert result.ok, result.problems


def test_content_written_back_into_a_disposed_entry_is_named(school, staff, dsl, head):
    gone = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    _dispose(school, dsl, head)
    records = _entries(gone)
    records[1]["origin"]["payload"]["text"] = "Written back in afterwards"
    with pytest.raises(ValidationError, match="no longer matches its hash-chain link"):
        transfer_bundles._check_origins(records)
    result = bundles.verify(_signed(records))
    assert not result.ok
    assert result.first.where.startswith("record 2 of ")
    assert result.first.reason == "what is left of it differs from what its disposal left"

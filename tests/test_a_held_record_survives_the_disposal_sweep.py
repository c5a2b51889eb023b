"""A legal hold keeps records whatever the schedule says: a hold on a pupil, on one case or on the whole kind keeps
its records off the monthly list; a hold placed after the list was made keeps the record at disposal (its item
says so); once the hold is lifted, the next sweep lists the record again. Placing and lifting are audited."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from incidents.models import Incident, TimelineEntry
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch, DisposalItem, ItemOutcome, LegalHold

from . import clock
from .retention_helpers import closed_case, pupil, swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]

PLACE = reverse("retention:hold_place")


def test_a_hold_on_a_pupil_placed_on_the_page_keeps_their_case_off_the_list(client, signed_in, school, staff, dsl):
    held_pupil, other = pupil(school), pupil(school)
    held = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[held_pupil])
    due = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[other])
    signed_in(dsl)
    response = client.post(
        PLACE,
        {"scope": "pupil", "pupil": held_pupil.pk, "reason": "inquiry", "detail": "Independent inquiry, ref INQ-7"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.scope, hold.pupil, hold.placed_by, hold.detail) == (
        "pupil",
        held_pupil,
        dsl,
        "Independent inquiry, ref INQ-7",
    )
    assert AuditEvent.objects.filter(action="retention.hold_placed", object_id=str(hold.pk), actor=dsl).exists()
    assert "Independent inquiry, ref INQ-7" in client.get(reverse("retention:holds")).content.decode()

    swept()
    assert list(DisposalItem.objects.values_list("record_id", flat=True)) == [due.pk]
    assert held.pk not in DisposalItem.objects.values_list("record_id", flat=True)


def test_a_hold_on_a_case_or_on_the_kind_keeps_it_off_the_list(client, signed_in, school, other_school, staff, dsl):
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    signed_in(dsl)
    assert (
        client.post(
            PLACE,
            {
                "scope": "record",
                "kind": "incidents.cp_records",
                "record_label": "oak-nope",
                "reason": "claim",
                "detail": "x",
            },
        ).status_code
        == 400
    )  # no such case
    assert (
        client.post(
            PLACE,
            {
                "scope": "record",
                "kind": "incidents.cp_records",
                "record_label": case.reference.lower(),
                "reason": "claim",
                "detail": "Claim against the school, Smith v Oakfield",
            },
        ).status_code
        == 302
    )
    assert swept() == 0
    hold = LegalHold.objects.get()
    client.post(reverse("retention:hold_lift", kwargs={"hold_id": hold.pk}), {"reason": "Claim settled."})
    hold.refresh_from_db()
    assert hold.lifted_by == dsl and hold.lift_reason == "Claim settled."
    assert AuditEvent.objects.filter(action="retention.hold_lifted", object_id=str(hold.pk)).exists()
    # The whole kind at the school: nothing of it is listed.
    client.post(
        PLACE,
        {
            "scope": "kind",
            "kind": "incidents.cp_records",
            "reason": "police",
            "detail": "Operation Bluebell, all CP files",
        },
    )
    assert swept() == 0
    assert not DisposalBatch.objects.exists()


def test_a_hold_placed_after_the_list_was_made_keeps_the_record_at_disposal(school, staff, dsl, head):
    child = pupil(school)
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[child])
    swept()
    batch = DisposalBatch.objects.get()
    LegalHold.objects.create(
        school=school,
        scope="pupil",
        pupil=child,
        reason="police",
        detail="PC 123, request",
        placed_by=dsl,
        placed_at=datetime.datetime.now(datetime.UTC),
    )
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)
    assert batch.items.get().outcome == ItemOutcome.HELD
    assert Incident.objects.get(pk=case.pk).description == "Amelia said her stepfather hit her."
    assert TimelineEntry.objects.filter(incident=case).exclude(text="").exists()


def test_what_a_hold_says_is_frozen_by_the_database(school, dsl):
    hold = LegalHold.objects.create(
        school=school,
        scope="kind",
        kind="incidents.cp_records",
        reason="inquiry",
        detail="Inquiry",
        placed_by=dsl,
        placed_at=datetime.datetime.now(datetime.UTC),
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        LegalHold.objects.filter(pk=hold.pk).update(detail="Something else")

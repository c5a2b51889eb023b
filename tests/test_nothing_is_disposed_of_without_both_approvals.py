"""Four eyes: the monthly list is disposed of only when the DSL and the headteacher have both approved it. One
approval changes nothing; a deputy or staff cannot give one; taking a record off withdraws the approvals given;
the second approval disposes of what is still listed, and the audit log has each step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import Incident, TimelineEntry
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.retention.models import BatchStatus, DisposalBatch, ItemOutcome, Tombstone

from . import clock
from .retention_helpers import closed_case, pupil, swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def _approve(client, batch):
    return client.post(reverse("retention:batch_approve", kwargs={"batch_id": batch.pk}))


def test_one_approval_disposes_of_nothing_and_the_second_disposes(client, signed_in, school, staff, dsl, head):
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    assert swept() == 1
    batch = DisposalBatch.objects.get(school=school)

    signed_in(dsl)
    page = client.get(reverse("retention:batch", kwargs={"batch_id": batch.pk})).content.decode()
    assert case.reference in page and "date of birth + 25 years" in page
    response = _approve(client, batch)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REVIEW
    assert Incident.objects.get(pk=case.pk).description == "Amelia said her stepfather hit her."
    assert not Tombstone.objects.exists()

    signed_in(head)
    assert _approve(client, batch).status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISPOSED
    assert Incident.objects.get(pk=case.pk).description == ""
    assert not TimelineEntry.objects.filter(incident=case).exclude(text="").exists()
    assert batch.items.get().outcome == ItemOutcome.DISPOSED
    actions = list(
        AuditEvent.objects.filter(school=school, action__startswith="retention.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "retention.batch_listed",
        "retention.batch_approved",
        "retention.batch_approved",
        "retention.batch_disposed",
    ]


def test_a_deputy_or_staff_cannot_approve(client, signed_in, school, staff, dsl, deputy):
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    swept()
    batch = DisposalBatch.objects.get(school=school)
    for who in (deputy, staff):
        signed_in(who)
        assert _approve(client, batch).status_code in (403, 404)
    assert not batch.approvals.exists()


def test_taking_a_record_off_withdraws_the_approval_already_given(client, signed_in, school, staff, dsl, head):
    kept = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    gone = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    swept()
    batch = DisposalBatch.objects.get(school=school)
    signed_in(dsl)
    _approve(client, batch)
    signed_in(head)
    item = batch.items.get(record_id=kept.pk)
    url = reverse("retention:item_remove", kwargs={"batch_id": batch.pk, "item_id": item.pk})
    client.post(url, {"reason": ""})  # a reason is required
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.LISTED
    client.post(url, {"reason": "The family's solicitor has written to us."})
    item.refresh_from_db()
    assert (item.outcome, item.removed_by, item.removed_reason) == (
        ItemOutcome.REMOVED,
        head,
        "The family's solicitor has written to us.",
    )
    assert batch.approvals.get().withdrawn_at is not None

    _approve(client, batch)  # the head's approval alone: the DSL's was withdrawn
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REVIEW
    signed_in(dsl)
    _approve(client, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISPOSED
    assert Incident.objects.get(pk=kept.pk).description != ""
    assert Incident.objects.get(pk=gone.pk).description == ""

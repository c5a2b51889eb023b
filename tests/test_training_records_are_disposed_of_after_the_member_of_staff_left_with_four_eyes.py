"""Training records (curriculum.training) are due the school's period (6 years) after the member of staff's last
role at the school ended: not while they hold any role there, not sooner. Once the DSL and the headteacher have
both approved, the certificate upload is deleted from storage (after commit) with its name and type; the course,
dates and hours stay for the figures, with a tombstone. A hold on the kind or on the record keeps it."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from curriculum.models import TrainingRecord
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch, DisposalItem, LegalHold, Tombstone

from . import clock
from .disposal_kinds_helpers import member_who_left, training_record
from .retention_helpers import swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]
KIND = "curriculum.training"


def _listed() -> set[int]:
    return set(DisposalItem.objects.filter(kind=KIND).values_list("record_id", flat=True))


def test_listed_six_years_after_the_last_role_ended_not_while_in_post(school, staff, dsl):
    left = member_who_left(school, ended_on=datetime.date(2019, 8, 31), email="gone@oak.example")
    lately = member_who_left(school, ended_on=datetime.date(2022, 8, 31), email="lately@oak.example")
    # Left one role long ago but still holds another: still in post.
    moved = member_who_left(school, ended_on=datetime.date(2015, 8, 31), email="moved@oak.example")
    from .factories import MembershipFactory

    MembershipFactory(user=moved, school=school, role="dsl", started_on=datetime.date(2015, 9, 1))
    due = training_record(school, left, recorded_by=dsl)
    others = [training_record(school, u, recorded_by=dsl) for u in (lately, moved, staff)]
    swept()
    assert _listed() == {due.pk}
    item = DisposalItem.objects.get(kind=KIND)
    assert (item.label, item.due_on) == (f"TR-{due.pk}", datetime.date(2025, 8, 31))
    assert all(TrainingRecord.objects.get(pk=r.pk).certificate for r in others)


def test_disposal_after_both_approvals_deletes_the_certificate_and_keeps_the_skeleton(
    client, signed_in, school, dsl, head, django_capture_on_commit_callbacks
):
    record = training_record(school, member_who_left(school, ended_on=datetime.date(2019, 8, 31)), recorded_by=dsl)
    path = record.certificate.name
    swept()
    disposal.batch_approve(school=school, user=dsl, batch=DisposalBatch.objects.get(school=school))
    assert default_storage.exists(path) and not Tombstone.objects.exists()  # one approval: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        disposal.batch_approve(school=school, user=head, batch=DisposalBatch.objects.get(school=school))
    after = TrainingRecord.objects.get(pk=record.pk)
    assert (after.certificate.name, after.certificate_name, after.certificate_type) == ("", "", "")
    assert (after.course, after.completed_on, after.user_id) == (record.course, record.completed_on, record.user_id)
    assert not default_storage.exists(path)
    tombstone = Tombstone.objects.get(kind=KIND)
    assert (tombstone.record_model, tombstone.record_id, tombstone.record_label) == (
        "curriculum.TrainingRecord",
        record.pk,
        f"TR-{record.pk}",
    )
    signed_in(dsl)
    assert client.get(reverse("curriculum:certificate", args=[record.pk])).status_code == 404


@pytest.mark.parametrize("scope", ["record", "kind"])
def test_a_hold_keeps_the_record(school, dsl, head, scope):
    record = training_record(school, member_who_left(school, ended_on=datetime.date(2019, 8, 31)), recorded_by=dsl)
    swept()  # listed before the hold: disposal checks again, item by item
    extra = {"record_id": record.pk, "record_label": f"TR-{record.pk}"} if scope == "record" else {}
    LegalHold.objects.create(
        school=school,
        scope=scope,
        kind=KIND,
        reason="claim",
        detail="Employment tribunal",
        placed_by=dsl,
        placed_at=clock.at("2026-12-01 09:00"),
        **extra,
    )
    batch = DisposalBatch.objects.get(school=school)
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)
    assert batch.items.get().outcome == "held"
    assert TrainingRecord.objects.get(pk=record.pk).certificate_name == "edith-example-certificate.pdf"
    assert not Tombstone.objects.exists()

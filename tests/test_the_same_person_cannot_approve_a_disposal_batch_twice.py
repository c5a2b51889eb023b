"""Four eyes means two people: someone who is both the DSL and the headteacher (a small school) approves once, and
the batch waits for someone else; approving again from the page is refused with a message; the database refuses a
second standing approval by the same person or for the same role whatever the code does."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import BatchStatus, DisposalApproval, DisposalBatch

from . import clock
from .factories import MembershipFactory
from .retention_helpers import closed_case, pupil, swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def test_a_dsl_who_is_also_the_head_approves_once(client, signed_in, school, staff, dsl, head):
    MembershipFactory(user=dsl, school=school, role=Role.HEADTEACHER)
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    swept()
    batch = DisposalBatch.objects.get()
    url = reverse("retention:batch_approve", kwargs={"batch_id": batch.pk})
    signed_in(dsl)
    client.post(url)
    response = client.post(url, follow=True)
    assert "You have already approved this batch" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REVIEW and batch.approvals.count() == 1
    assert Incident.objects.get(pk=case.pk).description != ""
    with pytest.raises(ValidationError):
        disposal.batch_approve(school=school, user=dsl, batch=batch)

    # Their approval counted as the DSL's; the headteacher's must come from another person, who gives it.
    assert batch.approvals.get().role == "dsl"
    signed_in(head)
    client.post(url)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISPOSED
    assert sorted(batch.approvals.values_list("role", "user")) == [("dsl", dsl.pk), ("headteacher", head.pk)]


def test_the_database_refuses_a_second_approval_by_the_same_person_or_role(school, staff, dsl, head):
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    swept()
    batch = DisposalBatch.objects.get()
    DisposalApproval.objects.create(batch=batch, role="dsl", user=dsl, name="D", at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        DisposalApproval.objects.create(batch=batch, role="headteacher", user=dsl, name="D", at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        DisposalApproval.objects.create(batch=batch, role="dsl", user=head, name="H", at=timezone.now())

"""Four eyes: a request is approved or rejected by a senior leader (head or DSL) who did not make it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from filtering import services
from filtering.models import ChangeRequest, EventKind, FilterEvent, RiskView, State

from .factories_filtering import make_change

pytestmark = pytest.mark.django_db


def _assessed(change, technician, head):
    services.assess(change=change, by=technician, view=RiskView.TECHNICAL, rating="low", assessment="Static pages.")
    services.assess(change=change, by=head, view=RiskView.EDUCATIONAL, rating="low", assessment="Needed in Y6.")
    return change


def _decide(client, change, **data):
    payload = {
        "decision": "approve",
        "reason": "Fine for the unit",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
    } | data
    return client.post(reverse("filtering:decide", args=[change.pk]), payload)


def test_the_requester_cannot_approve_their_own_request(school, head, dsl, technician, signed_in):
    change = make_change(school=school, requester=head)
    _assessed(change, technician, dsl)
    client = signed_in(head)

    page = client.get(reverse("filtering:change", args=[change.pk]))
    assert page.status_code == 200
    assert b'data-testid="own-request"' in page.content

    response = _decide(client, change)
    assert response.status_code == 302
    messages = [m.message for m in response.wsgi_request._messages]
    assert any("someone else must decide" in m for m in messages)
    change.refresh_from_db()
    assert change.state == State.REQUESTED and change.decided_by is None
    assert not FilterEvent.objects.filter(change=change, kind=EventKind.APPROVED).exists()


def test_another_senior_leader_approves_it(school, head, dsl, technician, signed_in):
    change = _assessed(make_change(school=school, requester=head), technician, dsl)
    response = _decide(signed_in(dsl), change)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.APPROVED and change.decided_by == dsl
    assert FilterEvent.objects.filter(change=change, kind=EventKind.APPROVED, actor=dsl).count() == 1


def test_a_technician_cannot_approve(school, staff, head, technician, signed_in):
    change = _assessed(make_change(school=school, requester=staff), technician, head)
    response = _decide(signed_in(technician), change)
    assert response.status_code == 403
    with pytest.raises(ValidationError, match="senior leader"):
        services.approve(
            change=change, by=technician, reason="I can", expires_on=timezone.localdate() + datetime.timedelta(days=3)
        )
    change.refresh_from_db()
    assert change.state == State.REQUESTED


def test_a_request_is_not_decided_before_both_risk_views(school, staff, head, technician):
    change = make_change(school=school, requester=staff)
    services.assess(change=change, by=head, view=RiskView.EDUCATIONAL, rating="medium", assessment="Useful.")
    with pytest.raises(ValidationError, match="technical view"):
        services.approve(
            change=change, by=head, reason="ok", expires_on=timezone.localdate() + datetime.timedelta(days=5)
        )
    with pytest.raises(ValidationError, match="technician"):
        services.assess(change=change, by=head, view=RiskView.TECHNICAL, rating="low", assessment="I think so")


def test_a_rejection_needs_a_reason_and_the_requester_sees_it(school, staff, head, technician, signed_in):
    change = _assessed(make_change(school=school, requester=staff), technician, head)
    client = signed_in(head)
    response = _decide(client, change, decision="reject", reason="")
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.REQUESTED

    _decide(client, change, decision="reject", reason="Use the BBC Bitesize page instead.")
    change.refresh_from_db()
    assert change.state == State.REJECTED
    page = signed_in(staff).get(reverse("filtering:change", args=[change.pk]))
    assert b"Use the BBC Bitesize page instead." in page.content


def test_the_database_refuses_a_self_approval_written_past_the_services(school, head):
    change = make_change(school=school, requester=head)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(decided_by=head, decided_at=timezone.now())


def test_other_staff_cannot_see_someone_elses_request(school, staff, osl, head, signed_in):
    change = make_change(school=school, requester=head)
    assert signed_in(staff).get(reverse("filtering:change", args=[change.pk])).status_code == 404
    assert signed_in(staff).get(reverse("filtering:index")).content.count(change.reference.encode()) == 0

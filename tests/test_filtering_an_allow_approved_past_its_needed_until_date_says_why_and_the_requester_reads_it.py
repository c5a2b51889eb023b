"""An approver cannot give an allow an expiry after the requester's "needed until" without a recorded reason,
which the requester reads on the request's page and which the log keeps."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from filtering import services
from filtering.models import ChangeRequest, EventKind, FilterEvent, RiskView, State
from safeguarding_portal.audit.chain import verify

from .factories_filtering import make_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked_for_two_weeks(school, staff, head, technician):
    """An allow the teacher needs for 14 days, assessed and waiting for the head's decision."""
    change = make_change(school=school, requester=staff, expires_in_days=14)
    services.assess(change=change, by=technician, view=RiskView.TECHNICAL, rating="low", assessment="Static pages.")
    services.assess(change=change, by=head, view=RiskView.EDUCATIONAL, rating="low", assessment="Needed in Y6.")
    return change


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_later_expiry_without_a_reason_is_refused_and_nothing_is_recorded(asked_for_two_weeks, head):
    change = asked_for_two_weeks
    with pytest.raises(ValidationError) as refused:
        services.approve(change=change, by=head, reason="Fine", expires_on=_days(60))
    assert "asked for it until" in str(refused.value)
    change.refresh_from_db()
    assert change.state == State.REQUESTED and change.expires_on is None
    assert not FilterEvent.objects.filter(change=change, kind=EventKind.APPROVED).exists()


def test_a_later_expiry_with_a_reason_is_approved_and_the_reason_is_in_the_log(asked_for_two_weeks, head):
    change = services.approve(
        change=asked_for_two_weeks,
        by=head,
        reason="Fine",
        expires_on=_days(60),
        longer_reason="The unit runs all half term, not two weeks.",
    )
    change.refresh_from_db()
    assert change.state == State.APPROVED and change.expires_on == _days(60)
    assert change.longer_reason == "The unit runs all half term, not two weeks."
    event = FilterEvent.objects.get(change=change, kind=EventKind.APPROVED)
    assert event.data["longer_reason"] == change.longer_reason
    assert event.data["needed_until"] == _days(14).isoformat()
    assert f"asked for until {_days(14):%d %b %Y}" in event.summary
    assert verify(FilterEvent) == []


def test_the_needed_until_date_or_earlier_needs_no_reason(asked_for_two_weeks, head):
    change = services.approve(change=asked_for_two_weeks, by=head, reason="Fine", expires_on=_days(14))
    assert change.state == State.APPROVED and change.longer_reason == ""


def test_a_reason_given_for_an_expiry_that_is_not_later_is_not_kept(asked_for_two_weeks, head):
    change = services.approve(
        change=asked_for_two_weeks,
        by=head,
        reason="Fine",
        expires_on=_days(7),
        longer_reason="Typed into the box by mistake.",
    )
    assert change.longer_reason == ""


def test_the_requester_reads_the_reason_on_their_request(asked_for_two_weeks, head, staff, signed_in):
    services.approve(
        change=asked_for_two_weeks,
        by=head,
        reason="Fine",
        expires_on=_days(60),
        longer_reason="The unit runs all half term, not two weeks.",
    )
    page = signed_in(staff).get(reverse("filtering:change", args=[asked_for_two_weeks.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "The unit runs all half term, not two weeks." in text
    assert f"later than the {_days(14):%-d %b %Y} asked for" in text


def test_the_decision_form_refuses_a_later_expiry_without_a_reason(asked_for_two_weeks, head, signed_in):
    client = signed_in(head)
    response = client.post(
        reverse("filtering:decide", args=[asked_for_two_weeks.pk]),
        {"decision": "approve", "reason": "Fine", "expires_on": _days(60).isoformat()},
    )
    assert response.status_code == 302
    messages = [m.message for m in response.wsgi_request._messages]
    assert any("record why it should last longer" in m for m in messages)
    assert ChangeRequest.objects.get(pk=asked_for_two_weeks.pk).state == State.REQUESTED

    response = client.post(
        reverse("filtering:decide", args=[asked_for_two_weeks.pk]),
        {
            "decision": "approve",
            "reason": "Fine",
            "expires_on": _days(60).isoformat(),
            "longer_reason": "The unit runs all half term.",
        },
    )
    assert ChangeRequest.objects.get(pk=asked_for_two_weeks.pk).longer_reason == "The unit runs all half term."


def test_the_decision_form_says_which_date_was_asked_for(asked_for_two_weeks, head, signed_in):
    page = signed_in(head).get(reverse("filtering:change", args=[asked_for_two_weeks.pk]))
    assert f"Asked for until {_days(14):%d %b %Y}" in page.content.decode()


def test_the_database_refuses_a_later_expiry_without_a_reason(asked_for_two_weeks, head):
    change = services.approve(change=asked_for_two_weeks, by=head, reason="Fine", expires_on=_days(14))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(expires_on=_days(90))

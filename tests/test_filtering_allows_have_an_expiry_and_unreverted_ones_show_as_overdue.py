"""Allows expire unless the approver records why they are permanent; past expiry and not reverted is overdue."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from filtering import reminders, services
from filtering.models import EventKind, FilterEvent, RiskView, State
from safeguarding_portal.reminders.models import Reminder

from .factories_filtering import make_change
from .filtering_helpers import overdue_allow

pytestmark = pytest.mark.django_db


def test_an_allow_needs_an_expiry_or_a_reason_to_be_permanent(school, staff, head, technician):
    change = make_change(school=school, requester=staff)
    services.assess(change=change, by=technician, view=RiskView.TECHNICAL, rating="low", assessment="ok")
    services.assess(change=change, by=head, view=RiskView.EDUCATIONAL, rating="low", assessment="ok")
    with pytest.raises(ValidationError) as exc:
        services.approve(change=change, by=head, reason="Needed")
    assert "expiry" in str(exc.value)
    services.approve(change=change, by=head, reason="Needed", permanent_reason="Core reading scheme site.")
    change.refresh_from_db()
    assert change.state == State.APPROVED and change.expires_on is None
    assert change.permanent_reason == "Core reading scheme site."


def test_the_request_form_asks_until_when_an_allow_is_needed(school, staff, signed_in):
    response = signed_in(staff).post(
        reverse("filtering:request"),
        {
            "token": "5b0c0c47-64a4-4f7e-9d1c-000000000002",
            "action": "allow",
            "target_kind": "url",
            "target": "https://example.org",
            "scope": "all_pupils",
            "reason": "Lesson",
        },
    )
    assert response.status_code == 200
    assert b"allows are temporary" in response.content
    assert response.context["form"]["target"].value() == "https://example.org"  # nothing typed is lost


def test_an_unreverted_allow_past_expiry_is_overdue_everywhere_until_reverted(
    school, staff, head, technician, signed_in
):
    change = overdue_allow(school=school, requester=staff, approver=head, technician=technician)
    today = timezone.localdate()
    assert change.is_overdue(today)

    index = signed_in(technician).get(reverse("filtering:index"))
    assert b'data-testid="overdue"' in index.content and change.reference.encode() in index.content
    home = signed_in(technician).get(reverse("home"))
    assert b"past expiry, not reverted" in home.content

    reminders.overdue(today=today)
    reminders.overdue(today=today)
    assert FilterEvent.objects.filter(change=change, kind=EventKind.OVERDUE).count() == 1
    assert Reminder.objects.filter(kind="filtering.overdue", recipient_email=technician.email).count() == 1
    assert Reminder.objects.filter(kind="filtering.overdue", recipient_email=head.email).count() == 1

    signed_in(technician).post(reverse("filtering:revert", args=[change.pk]), {"vendor_reference": "LS-77"})
    change.refresh_from_db()
    assert change.state == State.REVERTED
    reverted = FilterEvent.objects.get(change=change, kind=EventKind.REVERTED)
    assert reverted.data["late"] is True
    assert b'data-testid="overdue"' not in signed_in(technician).get(reverse("filtering:index")).content


def test_the_technician_is_reminded_before_an_allow_expires(school, staff, head, technician):
    change = make_change(
        school=school, requester=staff, approver=head, technician=technician, state=State.APPLIED, expires_in_days=5
    )
    assert reminders.expiring(today=timezone.localdate()) == 1
    reminder = Reminder.objects.get(kind="filtering.expiring")
    assert reminder.recipient_email == technician.email
    assert change.reference in reminder.text
    assert reminders.expiring(today=timezone.localdate() - datetime.timedelta(days=10)) == 0

"""Annual and out-of-cycle reviews, their actions with owners and due dates, and the reminders they bring."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from filtering import reminders, selectors, services
from filtering.models import FilterReview, ReviewAction
from safeguarding_portal.reminders.models import Reminder

pytestmark = pytest.mark.django_db


def test_an_annual_review_with_actions(school, head, dsl, technician, signed_in):
    response = signed_in(head).post(
        reverse("filtering:review_add"),
        {
            "kind": "annual",
            "held_on": "2026-10-01",
            "senior_leader": "R Bennett",
            "dsl": "S Thompson",
            "it_provider": "Schools IT Ltd",
            "governor": "M Ellis",
            "findings": "Guest wifi is not filtered.",
            "action_0_text": "Filter the guest wifi",
            "action_0_owner": technician.pk,
            "action_0_due": "2026-10-31",
        },
    )
    assert response.status_code == 302
    review = FilterReview.objects.get()
    action = review.actions.get()
    assert action.owner == technician and action.due_on == datetime.date(2026, 10, 31)
    assert review.missing_participants == []


def test_an_action_without_owner_or_due_date_is_refused(school, head, signed_in):
    response = signed_in(head).post(
        reverse("filtering:review_add"),
        {"kind": "annual", "held_on": "2026-10-01", "findings": "x", "action_0_text": "Do something"},
    )
    assert response.status_code == 200
    assert b"Every action needs an owner" in response.content and b"needs a due date" in response.content
    assert not FilterReview.objects.exists()


def test_an_out_of_cycle_review_needs_its_trigger(school, head, signed_in):
    response = signed_in(head).post(
        reverse("filtering:review_add"),
        {"kind": "out_of_cycle", "held_on": "2026-10-01", "findings": "A new AI chatbot is used by Year 6"},
    )
    assert response.status_code == 200 and not FilterReview.objects.exists()
    signed_in(head).post(
        reverse("filtering:review_add"),
        {
            "kind": "out_of_cycle",
            "held_on": "2026-10-01",
            "trigger": "new_technology",
            "trigger_detail": "AI chatbot",
            "findings": "Block the chatbot for pupils",
        },
    )
    assert FilterReview.objects.get().trigger == "new_technology"


def test_reminders_when_the_review_is_near_and_actions_are_overdue(school, head, dsl, technician):
    services.record_review(
        school=school,
        by=head,
        kind="annual",
        held_on=datetime.date(2025, 10, 20),
        findings="All fine",
        actions=[{"text": "Test the tablets", "owner": technician, "due_on": datetime.date(2025, 11, 30)}],
    )
    today = datetime.date(2026, 10, 1)
    _, rag = selectors.annual_review_due(school=school, today=today)
    assert rag == "amber"
    reminders.review_due(today=today)
    assert {r.recipient_email for r in Reminder.objects.filter(kind="filtering.review_due")} == {head.email, dsl.email}
    reminders.action_overdue(today=today)
    assert Reminder.objects.get(kind="filtering.action_overdue").recipient_email == technician.email

    services.complete_action(action=ReviewAction.objects.get(), by=technician)
    assert reminders.action_overdue(today=today + datetime.timedelta(days=1)) == 0

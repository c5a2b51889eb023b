"""Training and policy-review reminders go through the shared engine, on the right days, once."""

import datetime

import pytest

from curriculum.reminders import policy_reviews, training_due
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.services import run_sweep

from . import clock
from . import factories_curriculum as f

MONDAY = datetime.date(2026, 11, 23)
# The records are made on that day (memberships start when they are made), whatever today's real date is.
pytestmark = [pytest.mark.django_db, clock.frozen(MONDAY)]
TUESDAY = MONDAY + datetime.timedelta(days=1)


def _texts(email, kind="curriculum.training"):
    return sorted(Reminder.objects.filter(recipient_email=email, kind=kind).values_list("text", flat=True))


def test_thirty_days_before_expiry_the_person_is_reminded_once(school, staff):
    f.record(school, staff, "induction", completed_on=datetime.date(2020, 9, 1))
    # Expires 24 December 2026: 30 days after 24 November.
    f.record(school, staff, "annual_update", completed_on=datetime.date(2025, 12, 24))
    assert training_due(today=TUESDAY) == 1
    assert training_due(today=TUESDAY) == 0  # a re-run the same day records nothing more
    assert _texts(staff.email) == [
        "Your training “Annual safeguarding and online safety update” expires on 24 December 2026: please book it."
    ]
    # Not every day: 29 days before, nothing.
    assert training_due(today=TUESDAY + datetime.timedelta(days=1)) == 0


def test_expired_training_is_chased_weekly_from_the_day_it_expired(school, staff):
    staff.memberships.update(started_on=datetime.date(2020, 9, 1))  # in post on every day swept
    f.record(school, staff, "induction", completed_on=datetime.date(2020, 9, 1))
    f.record(school, staff, "annual_update", completed_on=datetime.date(2025, 11, 10))  # expired 10 Nov 2026
    sent = [d for d in range(10, 30) if training_due(today=datetime.date(2026, 11, d))]
    assert sent == [10, 17, 24]
    assert all("expired on 10 November 2026" in t for t in _texts(staff.email))


def test_missing_training_is_chased_on_mondays_and_the_dsl_gets_a_weekly_summary(school, staff, dsl):
    assert run_sweep("curriculum.training", on=TUESDAY) == 0
    sent = run_sweep("curriculum.training", on=MONDAY)
    assert sent > 0
    assert any("no record of “Safeguarding and online safety induction" in t for t in _texts(staff.email))
    digest = _texts(dsl.email, "curriculum.training_digest")
    assert len(digest) == 1 and "missing training" in digest[0]
    assert run_sweep("curriculum.training", on=MONDAY) == 0


def test_policy_reviews_remind_the_responsible_officer_or_else_the_dsl_and_head(school, osl, dsl, head):
    due = MONDAY + datetime.timedelta(days=30)
    f.policy(school, title="Online safety", review_by=due, review_months=None, responsible=osl)
    f.policy(school, title="Acceptable use", review_by=due, review_months=None)
    assert policy_reviews(today=MONDAY) == 3
    assert policy_reviews(today=MONDAY) == 0
    assert _texts(osl.email, "curriculum.policy_review") == ["Policy review due: “Online safety” by 23 December 2026."]
    assert len(_texts(dsl.email, "curriculum.policy_review")) == 1
    assert len(_texts(head.email, "curriculum.policy_review")) == 1
    assert policy_reviews(today=MONDAY + datetime.timedelta(days=1)) == 0


def test_the_sweep_sends_a_fixed_number_of_queries_whatever_the_number_of_schools(school, staff, dsl, other_school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import SchoolFactory

    training_due(today=MONDAY)  # gives the schools their default requirements
    with CaptureQueriesContext(connection) as one:
        training_due(today=MONDAY + datetime.timedelta(days=7))
    for _ in range(4):
        extra = SchoolFactory()
        f.member(extra, role="dsl")
        f.record(extra, f.member(extra), "annual_update", completed_on=datetime.date(2025, 11, 1))
    training_due(today=MONDAY + datetime.timedelta(days=14))
    with CaptureQueriesContext(connection) as five:
        sent = training_due(today=MONDAY + datetime.timedelta(days=21))
    assert sent > 0
    assert len(five.captured_queries) == len(one.captured_queries)

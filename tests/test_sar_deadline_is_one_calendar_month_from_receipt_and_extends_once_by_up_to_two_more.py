"""A subject access request is due one calendar month from receipt (31 January -> the last day of February), and
may be extended once, with a reason, by up to two further months. The DSL team and the head log and manage them
(the school has no office role in the portal)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from safeguarding_portal.audit.models import AuditEvent
from sar.services import deadline_for

from . import clock
from .factories import PupilFactory
from .sar_helpers import log_request

# The school, its staff and their roles are made before the days the tests move to (a role that starts after the
# day a test stands on does not count), whatever day the suite runs on.
pytestmark = [pytest.mark.django_db, clock.frozen("2027-01-20 09:00")]


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),  # a leap year
        (datetime.date(2027, 3, 31), datetime.date(2027, 4, 30)),
        (datetime.date(2027, 12, 15), datetime.date(2028, 1, 15)),
    ],
)
def test_the_deadline_is_the_same_day_next_month_or_that_months_last_day(received, due):
    assert deadline_for(received) == due


@pytest.mark.parametrize("who", ["dsl", "deputy", "head"])
def test_the_dsl_team_and_the_head_log_a_request_with_its_deadline(who, request, client, signed_in, school):
    user = request.getfixturevalue(who)
    pupil = PupilFactory(school=school)
    with time_machine.travel(datetime.datetime(2027, 2, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
        signed_in(user)
        sar = log_request(client, pupil=pupil, received_on=datetime.date(2027, 1, 31))
        page = client.get(reverse("sar:detail", args=[sar.pk]))
    assert "28 Feb 2027" in page.content.decode()
    assert sar.due_on == datetime.date(2027, 2, 28)
    assert sar.logged_by == user and sar.identity_check.startswith("Passport")
    assert AuditEvent.objects.filter(action="sar.logged", object_id=str(sar.pk)).exists()


def test_staff_and_governors_cannot_reach_requests(client, signed_in, staff, governor):
    for user in (staff, governor):
        signed_in(user)
        assert client.get(reverse("sar:index")).status_code == 403


def test_a_request_received_tomorrow_is_refused(client, signed_in, dsl, school):
    pupil = PupilFactory(school=school)
    with time_machine.travel(datetime.datetime(2027, 2, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
        signed_in(dsl)
        response = client.post(
            reverse("sar:new"),
            {
                "requester_name": "A",
                "relationship": "parent",
                "about": "pupil",
                "subject_pupil": pupil.pk,
                "received_on": "2027-02-04",
                "identity_check": "seen",
            },
        )
    assert response.status_code == 200 and "in the future" in response.content.decode()


def test_the_deadline_extends_once_with_a_reason_by_two_months_at_most(client, signed_in, dsl, school):
    pupil = PupilFactory(school=school)
    with time_machine.travel(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=datetime.UTC), tick=False):
        signed_in(dsl)
        sar = log_request(client, pupil=pupil, received_on=datetime.date(2027, 1, 31))
        url = reverse("sar:extend", args=[sar.pk])
        too_far = client.post(url, {"to": "2027-05-01", "reason": "Many records"})
        assert "two further months at most" in too_far.content.decode()
        no_reason = client.post(url, {"to": "2027-04-30", "reason": ""})
        assert no_reason.status_code == 200
        assert client.post(url, {"to": "2027-04-30", "reason": "Eight years of records"}).status_code == 302
        again = client.post(url, {"to": "2027-04-29", "reason": "Again"})
    sar.refresh_from_db()
    assert sar.extended_to == datetime.date(2027, 4, 30) and sar.extension_reason == "Eight years of records"
    assert sar.extended_by == dsl and sar.deadline == datetime.date(2027, 4, 30)
    assert "already extended once" in again.content.decode()
    assert AuditEvent.objects.filter(action="sar.extended", object_id=str(sar.pk)).count() == 1

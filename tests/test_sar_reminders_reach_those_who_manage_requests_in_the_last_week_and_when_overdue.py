"""Open subject access requests are chased through the reminder engine: in their last week and once overdue, to
the DSL team and the head (who manage requests), never to the member of staff a request is about, never naming
anyone, and not after the request closed."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from safeguarding_portal.reminders import services
from safeguarding_portal.reminders.models import Reminder
from sar import services as sar_services

from . import clock
from .factories import PupilFactory

# The school, its staff and their roles are made before the days the tests move to (a role that starts after the
# day a test stands on does not count), whatever day the suite runs on.
pytestmark = [pytest.mark.django_db, clock.frozen("2027-01-20 09:00")]
RECEIVED = datetime.date(2027, 1, 31)  # due 28 February 2027


def _log(school, by, **subject):
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        return sar_services.request_log(
            school=school,
            by=by,
            requester_name="Jamie Pemberton",
            relationship="parent",
            received_on=RECEIVED,
            identity_check="Passport",
            **subject,
        )


def test_no_reminder_before_the_last_week_then_due_soon_then_overdue(
    school, dsl, deputy, head, staff, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school, legal_forename="Octavia", surname="Pemberton")
    sar = _log(school, dsl, subject_pupil=pupil)
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 2, 20)) == 0
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 2, 22)) == 3  # dsl, deputy, head
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 2, 22)) == 0  # once a day
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"sar.due_soon"}
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 3, 1)) == 3
    overdue = Reminder.objects.filter(kind="sar.overdue")
    assert {r.recipient_email for r in overdue} == {dsl.email, deputy.email, head.email}
    assert "was due on 28 Feb 2027" in overdue.first().text
    with (
        time_machine.travel(datetime.datetime(2027, 3, 1, 7, 0, tzinfo=datetime.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.send_digests(on=datetime.date(2027, 3, 1))
    assert mail.outbox and all("Octavia" not in m.body and "Pemberton" not in m.body for m in mail.outbox)
    assert all(f"/subject-access/{sar.pk}/" in m.body for m in mail.outbox)


def test_an_extended_request_is_chased_against_its_new_deadline_and_a_closed_one_not_at_all(school, dsl, head):
    pupil = PupilFactory(school=school)
    sar = _log(school, dsl, subject_pupil=pupil)
    with time_machine.travel(datetime.datetime(2027, 2, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        sar_services.request_extend(sar=sar, by=dsl, to=datetime.date(2027, 4, 30), reason="Complex")
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 3, 1)) == 0
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 4, 25)) == 2
    sar.closed_at = timezone.now()
    sar.save(update_fields=["closed_at"])
    assert services.run_sweep("sar.deadlines", on=datetime.date(2027, 5, 2)) == 0


def test_a_request_about_a_member_of_staff_is_not_chased_in_their_own_digest(school, dsl, deputy, head):
    _log(school, dsl, subject_staff=deputy)
    services.run_sweep("sar.deadlines", on=datetime.date(2027, 3, 1))
    assert set(Reminder.objects.values_list("recipient_email", flat=True)) == {dsl.email, head.email}

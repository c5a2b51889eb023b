"""An Operation Encompass notification goes to the DSL on duty at once, must be acknowledged before the start
of the next school day (term dates), and is otherwise passed on and then escalated to the deputies and the
headteacher, each step once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from duty import encompass
from duty import services as duty_services
from duty.models import EncompassEntry, EncompassEntryKind

from . import clock
from .factories import PupilFactory
from .factories_duty import every_weekday, notification, weekly_rota

# Monday 23 November 2026, 19:00: an evening notification, due before 08:00 on Tuesday.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 19:00")]


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_forename="Kezia", surname="Brightwater")


@pytest.fixture
def rota(school, dsl, deputy):
    duty_services.save_settings(
        school=school,
        by=dsl,
        day_starts=datetime.time(8),
        day_ends=datetime.time(17),
        out_of_hours_cover=True,
        team_after_minutes=10,
        head_after_minutes=30,
    )
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl), out_of_hours=every_weekday(deputy))


def _kinds(n):
    return [(e.kind, e.stage) for e in EncompassEntry.objects.filter(notification=n).order_by("seq")]


def test_it_goes_to_the_person_on_duty_at_once_with_nothing_about_the_child(
    school, dsl, deputy, head, pupil, rota, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        n = notification(school, by=dsl, pupils=[pupil])
    assert n.acknowledge_by == clock.at("2026-11-24 08:00")
    assert _kinds(n) == [(EncompassEntryKind.ALERTED, "on_duty")]
    message = mail.outbox[-1]
    assert message.to == [deputy.email]
    assert "08:00 on Tuesday 24 November" in message.body
    for secret in ("Kezia", "Brightwater", "WPC/2026/1234", "Okafor", "domestic"):
        assert secret not in message.body and secret not in message.subject


@clock.frozen("2026-11-27 18:00")
def test_on_a_friday_evening_the_deadline_is_monday_morning(school, dsl, pupil):
    assert notification(school, by=dsl, pupils=[pupil]).acknowledge_by == clock.at("2026-11-30 08:00")


@clock.frozen("2026-12-18 16:00")
def test_at_the_end_of_term_the_deadline_is_the_first_day_of_the_next_term(school, dsl, pupil):
    assert notification(school, by=dsl, pupils=[pupil]).acknowledge_by == clock.at("2027-01-04 08:00")


def test_unacknowledged_it_passes_to_the_team_the_head_then_escalates_at_the_start_of_the_day(
    school, dsl, deputy, head, pupil, rota, django_capture_on_commit_callbacks
):
    n = notification(school, by=dsl, pupils=[pupil])
    with django_capture_on_commit_callbacks(execute=True):
        assert encompass.sweep(now=clock.at("2026-11-23 19:05")) == 0
        assert encompass.sweep(now=clock.at("2026-11-23 19:11")) == 1  # the rest of the team
        assert encompass.sweep(now=clock.at("2026-11-23 19:31")) == 1  # the head
        assert encompass.sweep(now=clock.at("2026-11-23 23:00")) == 0
        mail.outbox.clear()
        assert encompass.sweep(now=clock.at("2026-11-24 08:01")) == 1  # not acknowledged before the day
        assert encompass.sweep(now=clock.at("2026-11-24 08:03")) == 0
    assert _kinds(n) == [
        (EncompassEntryKind.ALERTED, "on_duty"),
        (EncompassEntryKind.ALERTED, "team"),
        (EncompassEntryKind.ALERTED, "head"),
        (EncompassEntryKind.ESCALATED, ""),
    ]
    assert sorted(mail.outbox[-1].to) == sorted([deputy.email, head.email])
    assert mail.outbox[-1].subject.startswith("URGENT")


def test_acknowledged_in_time_it_goes_no_further_and_counts_as_seen(school, dsl, deputy, pupil, rota):
    n = notification(school, by=dsl, pupils=[pupil])
    entry = encompass.acknowledge(notification=n, by=deputy)
    assert entry.data == {"in_time": True}
    assert encompass.sweep(now=clock.at("2026-11-24 09:00")) == 0
    with pytest.raises(ValidationError):
        encompass.acknowledge(notification=n, by=dsl)
    assert encompass.figures(
        school_ids=[school.pk], start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30)
    ) == {school.pk: (1, 1)}


def test_only_the_dsl_team_or_the_head_acknowledges(school, dsl, staff, pupil):
    n = notification(school, by=dsl, pupils=[pupil])
    with pytest.raises(ValidationError):
        encompass.acknowledge(notification=n, by=staff)


def test_a_child_not_on_roll_cannot_be_named(school, dsl, other_school):
    stranger = PupilFactory(school=other_school)
    with pytest.raises(ValidationError):
        notification(school, by=dsl, pupils=[stranger])

"""An urgent report goes to the DSL on duty first, to the rest of the team after the school's set minutes
and to the headteacher after that, each exactly once; without a rota the whole team is told at once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from duty import services as duty_services
from incidents import services
from incidents.models import Alert

from . import clock
from .factories_duty import every_weekday, weekly_rota
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def _minutes(n):
    return timezone.now() + datetime.timedelta(minutes=n)


def test_the_escalation_chain_is_on_duty_then_the_rest_of_the_team_then_the_head(school, dsl, deputy, head):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    chain = duty_services.escalation_chain(school, timezone.now())
    assert [(s.key, s.after.seconds // 60, s.people) for s in chain] == [
        ("on_duty", 0, (deputy,)),
        ("team", 15, (dsl,)),
        ("head", 30, (head,)),
    ]


def test_without_anyone_on_duty_the_chain_is_the_whole_team_then_the_head(school, dsl, deputy, head):
    chain = duty_services.escalation_chain(school, timezone.now())
    assert [s.key for s in chain] == ["team", "head"]
    assert set(chain[0].people) == {dsl, deputy}


def test_an_urgent_report_goes_to_the_person_on_duty_first_then_on(
    school, staff, dsl, deputy, head, django_capture_on_commit_callbacks
):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    duty_services.save_settings(
        school=school,
        by=dsl,
        day_starts=datetime.time(8),
        day_ends=datetime.time(17),
        out_of_hours_cover=False,
        team_after_minutes=5,
        head_after_minutes=12,
    )
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_case(school=school, reporter=staff, immediate_risk=True)
    assert incident.alerts.get(kind=Alert.Kind.URGENT).recipients == [deputy.email]
    assert mail.outbox[-1].to == [deputy.email]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.urgent_resend_sweep(now=_minutes(4)) == 0
        assert services.urgent_resend_sweep(now=_minutes(6)) == 1
        assert services.urgent_resend_sweep(now=_minutes(7)) == 0
    assert incident.alerts.get(kind=Alert.Kind.URGENT_TEAM).recipients == [dsl.email]
    assert mail.outbox[-1].to == [dsl.email] and "on duty has not acknowledged" in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        assert services.urgent_resend_sweep(now=_minutes(13)) == 1
        assert services.urgent_resend_sweep(now=_minutes(14)) == 0
    assert sorted(incident.alerts.get(kind=Alert.Kind.URGENT_RESEND).recipients) == sorted(
        [dsl.email, deputy.email, head.email]
    )


def test_an_urgent_report_acknowledged_by_the_person_on_duty_goes_no_further(school, staff, dsl, deputy, head):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    incident = make_case(school=school, reporter=staff, immediate_risk=True)
    services.case_acknowledge(incident=incident, by=deputy)
    assert services.urgent_resend_sweep(now=_minutes(60)) == 0
    assert set(incident.alerts.values_list("kind", flat=True)) == {Alert.Kind.URGENT}


def test_a_non_urgent_report_still_goes_to_the_whole_team(school, staff, dsl, deputy):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    incident = make_case(school=school, reporter=staff)
    assert sorted(incident.alerts.get().recipients) == sorted([dsl.email, deputy.email])

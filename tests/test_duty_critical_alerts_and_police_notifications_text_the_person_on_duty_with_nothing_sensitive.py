"""Part 4 of issue 15: critical monitoring alerts and Operation Encompass notifications, like urgent reports,
text the person on duty (where the school turned texts on) through GOV.UK Notify, and the text says only to
sign in: no child, no rule, no reference; the rest of the team is texted when it is passed on."""

import datetime

import pytest

from duty import sms
from duty.models import SmsDelivery
from monitoring import paging

from . import clock
from . import factories_monitoring as f
from .factories import PupilFactory
from .factories_duty import notification
from .test_duty_urgent_texts_go_through_gov_uk_notify_say_nothing_sensitive_and_are_retried import (
    _texting_school,
    notify,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def _texted(calls) -> list[str]:
    for call in calls:
        assert call["body"]["personalisation"] == {"message": sms.SMS_TEXT}
    return [call["body"]["phone_number"] for call in calls]


def test_a_critical_alert_texts_the_person_on_duty_then_the_rest_of_the_team(
    notify,  # noqa: F811
    school,
    dsl,
    deputy,
    django_capture_on_commit_callbacks,
):
    calls, _ = notify
    _texting_school(school, dsl, deputy)  # the deputy on duty, texts on
    PupilFactory(school=school, network_username="kid1", legal_forename="Zebedee")
    with django_capture_on_commit_callbacks(execute=True):
        alert = f.alert(school, severity="critical", username="kid1", rule="Suicide", captured_text="end it")
    assert _texted(calls) == ["07700900123"]
    for secret in (alert.reference, "Zebedee", "kid1", "Suicide", "end it", school.name):
        assert secret not in str(calls)

    with django_capture_on_commit_callbacks(execute=True):
        paging.resend_sweep(now=alert.received_at + datetime.timedelta(minutes=6))
    assert _texted(calls) == ["07700900123", "07700900456"]
    assert set(SmsDelivery.objects.values_list("state", flat=True)) == {SmsDelivery.State.SENT}


def test_a_police_notification_texts_the_person_on_duty(
    notify,  # noqa: F811
    school,
    dsl,
    deputy,
    django_capture_on_commit_callbacks,
):
    calls, _ = notify
    _texting_school(school, dsl, deputy)
    child = PupilFactory(school=school, legal_forename="Kezia", surname="Brightwater")
    with django_capture_on_commit_callbacks(execute=True):
        notification(school, by=dsl, pupils=[child])
    assert _texted(calls) == ["07700900123"]
    for secret in ("Kezia", "Brightwater", "WPC/2026/1234", "Okafor", "Encompass", school.name):
        assert secret not in str(calls)

"""Urgent texts: through the outbox and the GOV.UK Notify client (mocked at the HTTP boundary), recorded like
emails, retried when Notify is down, never carrying a name, a category or a reference."""

import datetime
import json
import uuid
from unittest import mock

import pytest
import requests
from django.utils import timezone

from duty import services as duty_services
from duty import sms, texts
from duty.models import SmsDelivery

from . import clock
from .factories_duty import every_weekday, weekly_rota
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

SERVICE_ID = str(uuid.UUID(int=1))
TEMPLATE_ID = str(uuid.UUID(int=2))


@pytest.fixture
def notify(settings):
    settings.SMS_BACKEND = "notify"
    settings.NOTIFY_API_KEY = f"portal_test-{SERVICE_ID}-{uuid.UUID(int=3)}"
    settings.NOTIFY_SMS_TEMPLATE_ID = TEMPLATE_ID
    calls = []
    answers = []

    def fake_request(session, method, url, **kwargs):
        calls.append(
            {
                "method": method,
                "url": url,
                "body": json.loads(kwargs.get("data") or "{}"),
                "headers": kwargs.get("headers", {}),
            }
        )
        status = answers.pop(0) if answers else 201
        response = requests.Response()
        response.status_code = status
        response.url = url
        payload = {"id": str(uuid.UUID(int=9))} if status < 300 else {"errors": [{"message": "nope"}]}
        response._content = json.dumps(payload).encode()
        return response

    with mock.patch.object(requests.Session, "request", fake_request):
        yield calls, answers


def _texting_school(school, dsl, deputy):
    duty_services.save_settings(
        school=school,
        by=dsl,
        day_starts=datetime.time(8),
        day_ends=datetime.time(17),
        out_of_hours_cover=False,
        team_after_minutes=5,
        head_after_minutes=12,
        sms_enabled=True,
    )
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    texts.set_mobile(school=school, user=deputy, number="07700 900123")
    texts.set_mobile(school=school, user=dsl, number="07700 900456")


def test_an_urgent_report_texts_the_person_on_duty_through_notify_with_nothing_sensitive(
    notify, school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    calls, _ = notify
    _texting_school(school, dsl, deputy)
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_case(school=school, reporter=staff, immediate_risk=True, description="Jo was sent photos")
    assert len(calls) == 1
    call = calls[0]
    assert call["method"] == "POST" and call["url"].endswith("/v2/notifications/sms")
    assert call["headers"]["Authorization"].startswith("Bearer ")
    assert call["body"]["phone_number"] == "07700900123" and call["body"]["template_id"] == TEMPLATE_ID
    assert call["body"]["personalisation"] == {"message": sms.SMS_TEXT}
    sent = json.dumps(call["body"])
    for secret in (incident.reference, "Jo", "photos", staff.full_name, school.name):
        assert secret not in sent
    delivery = SmsDelivery.objects.get()
    assert delivery.state == SmsDelivery.State.SENT and delivery.user == deputy and delivery.attempts == 1
    assert delivery.provider_id == str(uuid.UUID(int=9))


def test_notify_down_leaves_the_text_retrying_and_the_sweep_sends_it(
    notify, school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    calls, answers = notify
    _texting_school(school, dsl, deputy)
    answers.append(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, immediate_risk=True)
    delivery = SmsDelivery.objects.get()
    assert delivery.state == SmsDelivery.State.RETRYING and "500" in delivery.last_error
    assert texts.deliver_due(now=timezone.now()) == 0  # not due yet
    assert texts.deliver_due(now=timezone.now() + datetime.timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert delivery.state == SmsDelivery.State.SENT and delivery.attempts == 2 and len(calls) == 2


def test_a_number_notify_refuses_fails_at_once_and_is_not_retried(
    notify, school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    _calls, answers = notify
    _texting_school(school, dsl, deputy)
    answers.append(400)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, immediate_risk=True)
    delivery = SmsDelivery.objects.get()
    assert delivery.state == SmsDelivery.State.FAILED and delivery.next_attempt_at is None


def test_no_texts_unless_the_school_turned_them_on(
    notify, school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    calls, _ = notify
    texts.set_mobile(school=school, user=dsl, number="07700 900456")
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, immediate_risk=True)
    assert calls == [] and not SmsDelivery.objects.exists()


def test_the_console_backend_is_the_default_and_writes_the_log(
    settings, school, staff, dsl, deputy, caplog, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "console"
    _texting_school(school, dsl, deputy)
    with caplog.at_level("INFO", logger="duty.sms"), django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, immediate_risk=True)
    assert SmsDelivery.objects.get().state == SmsDelivery.State.SENT
    assert sms.SMS_TEXT in caplog.text

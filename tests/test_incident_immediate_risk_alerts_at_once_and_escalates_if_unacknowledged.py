import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Alert, Incident

from .incident_helpers import make_case, report_payload

pytestmark = pytest.mark.django_db


def test_immediate_risk_shows_999_and_alerts_the_team_urgently(
    client, signed_in, school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    signed_in(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:report"), report_payload(immediate_risk="yes"), follow=True)
    assert b"Call 999 now" in response.content
    assert b"0300 456 0108" in response.content  # the school's MASH number, from the contacts
    incident = Incident.objects.get()
    assert incident.immediate_risk and incident.severity == "high"
    assert incident.alerts.get().kind == Alert.Kind.URGENT
    assert mail.outbox[0].subject.startswith("URGENT")


def test_report_form_carries_the_999_panel_for_the_moment_yes_is_chosen(client, signed_in, school, staff):
    signed_in(staff)
    response = client.get(reverse("incidents:report"))
    assert b'id="urgent-panel"' in response.content and b"Call 999 now" in response.content


def test_unacknowledged_urgent_report_is_resent_to_team_and_head_once(
    school, staff, dsl, deputy, head, django_capture_on_commit_callbacks
):
    incident = make_case(school=school, reporter=staff, immediate_risk=True)
    later = timezone.now() + datetime.timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.urgent_resend_sweep(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
        mail.outbox.clear()
        assert services.urgent_resend_sweep(now=later) == 1
        assert services.urgent_resend_sweep(now=later) == 0  # a re-run sends nothing more
    resend = incident.alerts.get(kind=Alert.Kind.URGENT_RESEND)
    assert sorted(resend.recipients) == sorted([dsl.email, deputy.email, head.email])
    assert len(mail.outbox) == 1 and "Nobody has acknowledged" in mail.outbox[0].body


def test_an_acknowledged_urgent_report_is_not_resent(school, staff, dsl, head):
    incident = make_case(school=school, reporter=staff, immediate_risk=True)
    services.case_acknowledge(incident=incident, by=dsl)
    assert services.urgent_resend_sweep(now=timezone.now() + datetime.timedelta(hours=1)) == 0

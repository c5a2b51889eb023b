"""A pupil who says it is still happening is telling the team about a child who may be at risk now: the report goes
to the DSL team as urgent, through the same urgent alert every urgent concern uses (the outbox's urgent email,
retried within minutes and shown to the head if it does not go; the urgent resend sweep if nobody acts), while it
still waits for the team's check. "No" or "not sure" is an ordinary new report."""

import pytest
from django.core import mail

from incidents.models import Alert, Incident, Moderation, Severity
from safeguarding_portal.outbox.models import EmailDelivery

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db


def test_still_happening_goes_to_the_dsl_team_as_an_urgent_alert(
    client, school, dsl, deputy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(tell_url(school), pupil_payload(still_happening="yes"))
    assert response.status_code == 302

    incident = Incident.objects.get()
    assert incident.immediate_risk is True and incident.severity == Severity.HIGH
    assert incident.moderation == Moderation.PENDING  # still the team's to check
    assert list(incident.alerts.values_list("kind", flat=True)) == [Alert.Kind.URGENT]
    delivery = EmailDelivery.objects.get(kind=EmailDelivery.Kind.ALERT)
    assert delivery.urgent is True and sorted(delivery.to) == sorted([dsl.email, deputy.email])
    (email,) = mail.outbox
    assert email.subject.startswith("URGENT: Online-safety concern")
    assert "still happening" in email.body


@pytest.mark.parametrize("answer", ["no", "unsure", ""])
def test_not_still_happening_is_an_ordinary_new_report(client, school, dsl, answer):
    client.post(tell_url(school), pupil_payload(still_happening=answer))

    incident = Incident.objects.get()
    assert incident.immediate_risk is False and incident.severity == ""
    assert list(incident.alerts.values_list("kind", flat=True)) == [Alert.Kind.NEW_REPORT]
    assert EmailDelivery.objects.get(kind=EmailDelivery.Kind.ALERT).urgent is False

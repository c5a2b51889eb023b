import pytest
from django.urls import reverse

from incidents.models import Incident

from .factories import PupilFactory
from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db


def test_a_missing_category_shows_a_clear_error_and_keeps_the_text_and_pupils(client, signed_in, school, staff):
    pupil = PupilFactory(school=school, legal_forename="Amara", surname="Okafor")
    signed_in(staff)
    payload = report_payload(
        category="", description="Words typed with care", pupil=[str(pupil.pk)], **{f"pupil_role_{pupil.pk}": "witness"}
    )
    response = client.post(reverse("incidents:report"), payload)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your report has not been sent yet" in body
    assert "Words typed with care" in body
    assert "Amara Okafor" in body and 'value="witness" selected' in body
    assert payload["submission_token"] in body
    assert Incident.objects.count() == 0


def test_a_time_in_the_future_is_refused_with_a_message(client, signed_in, school, staff):
    signed_in(staff)
    response = client.post(reverse("incidents:report"), report_payload(occurred_at="2999-01-01T10:00"))
    assert response.status_code == 200
    assert b"That time is in the future" in response.content
    assert Incident.objects.count() == 0


def test_nonsense_input_never_produces_a_server_error(client, signed_in, school, staff):
    signed_in(staff)
    response = client.post(
        reverse("incidents:report"),
        {"pupil": ["x", "999999"], "category": "nope", "immediate_risk": "maybe", "occurred_at": "yesterday"},
    )
    assert response.status_code == 200
    assert Incident.objects.count() == 0

import pytest
from django.urls import reverse

from incidents.models import Incident

from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db


def test_sending_the_same_form_twice_records_one_concern(client, signed_in, school, staff, dsl):
    signed_in(staff)
    payload = report_payload()
    first = client.post(reverse("incidents:report"), payload)
    second = client.post(reverse("incidents:report"), payload)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Incident.objects.count() == 1

"""A pupil the MIS import marked as left is not offered by the report form's picker, and a report naming them
anyway (an old page, a hand-made request) is refused with words that send the reporter to the DSL team."""

import pytest
from django.urls import reverse

from incidents.models import Incident

from .factories import PupilFactory
from .incident_helpers import report_payload
from .leaver_helpers import mark_left

pytestmark = pytest.mark.django_db


def test_the_picker_offers_pupils_on_roll_only(client, signed_in, staff, school):
    PupilFactory(school=school, legal_forename="Ottoline", surname="Stayward")
    gone = PupilFactory(school=school, legal_forename="Ottilie", surname="Leftwich")
    mark_left(gone)
    signed_in(staff)
    html = client.get(reverse("incidents:pupil_options"), {"pupil_q": "Otti"}).content.decode()
    html += client.get(reverse("incidents:pupil_options"), {"pupil_q": "Ott"}).content.decode()
    assert "Stayward" in html and "Leftwich" not in html


def test_a_report_naming_a_pupil_who_has_left_is_refused(client, signed_in, staff, school):
    gone = PupilFactory(school=school, legal_forename="Ottilie", surname="Leftwich")
    day = mark_left(gone)
    signed_in(staff)
    response = client.post(reverse("incidents:report"), report_payload(pupil=[gone.pk]))
    assert response.status_code == 200
    assert f"Ottilie Leftwich left the school on {day:%-d %B %Y}" in response.content.decode()
    assert not Incident.objects.exists()

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import EntryKind

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def test_reporter_sees_the_status_of_their_own_report_without_the_notes(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    services.case_acknowledge(incident=incident, by=dsl)
    services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text="Spoke to mum; history of concerns.")

    signed_in(staff)
    listing = client.get(reverse("incidents:index"))
    assert incident.reference.encode() in listing.content and b"Acknowledged" in listing.content
    detail = client.get(reverse("incidents:my_report", args=[incident.reference]))
    assert detail.status_code == 200
    assert b"Acknowledged" in detail.content
    assert b"history of concerns" not in detail.content
    assert client.get(reverse("incidents:case", args=[incident.reference])).status_code == 403


def test_nobody_else_can_open_a_report_through_the_reporters_page(client, signed_in, school, staff, dsl, osl):
    incident = make_case(school=school, reporter=staff)
    signed_in(osl)
    assert client.get(reverse("incidents:my_report", args=[incident.reference])).status_code == 404

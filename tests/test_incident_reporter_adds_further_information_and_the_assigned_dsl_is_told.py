"""The reporter can add to their own report afterwards: an entry on the case for the DSL team, an email to
the assigned DSL with the reference only, and the reporter still sees only what they wrote and added."""

import pytest
from django.core import mail
from django.urls import reverse

from incidents import services
from incidents.models import EntryKind

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def test_the_reporter_adds_information_and_the_assigned_dsl_hears_without_the_content(
    client, signed_in, school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    incident = make_case(school=school, reporter=staff, description="Jo showed me messages.")
    services.case_assign(incident=incident, to=deputy, by=dsl)
    services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text="Private note about the family.")
    signed_in(staff)
    url = reverse("incidents:my_report", args=[incident.reference])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "Jo's brother says the messages started in September."})
    assert response.status_code == 302
    entry = incident.entries.get(kind=EntryKind.FURTHER_INFO)
    assert entry.author == staff and entry.text.startswith("Jo's brother")
    emails = [m for m in mail.outbox if "Further information" in m.subject]
    assert [m.to for m in emails] == [[deputy.email]]
    assert incident.reference in emails[0].body and "September" not in emails[0].body

    page = client.get(url).content.decode()
    assert "Jo&#x27;s brother says the messages started in September." in page
    assert "Private note about the family" not in page

    signed_in(deputy)
    case = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert "Further information from the reporter" in case and "started in September" in case


def test_nobody_else_can_add_to_someone_elses_report(client, signed_in, school, staff, osl, dsl):
    incident = make_case(school=school, reporter=staff)
    signed_in(osl)
    response = client.post(reverse("incidents:my_report", args=[incident.reference]), {"text": "Not mine"})
    assert response.status_code == 404
    assert not incident.entries.filter(kind=EntryKind.FURTHER_INFO).exists()


def test_an_empty_addition_is_refused_and_keeps_the_page(client, signed_in, school, staff):
    incident = make_case(school=school, reporter=staff)
    signed_in(staff)
    response = client.post(reverse("incidents:my_report", args=[incident.reference]), {"text": "  "})
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not incident.entries.filter(kind=EntryKind.FURTHER_INFO).exists()

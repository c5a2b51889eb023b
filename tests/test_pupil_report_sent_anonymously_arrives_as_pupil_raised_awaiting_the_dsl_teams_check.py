"""A pupil, with no account, tells the safeguarding team: it arrives on the DSL's dashboard marked pupil-raised,
names nobody as reporter, waits for the team's check, and the DSL team is told through the outbox (reference
and link only). No member of staff's "my reports" page ever lists it."""

import pytest
from django.core import mail
from django.urls import reverse

from incidents.models import EntryKind, Incident, Moderation, Source, Status, TimelineEntry
from safeguarding_portal.audit import chain

from .pupil_report_helpers import WORDS, pupil_payload, tell_url, thanks_url

pytestmark = pytest.mark.django_db


def test_an_anonymous_report_arrives_as_pupil_raised_in_moderation(
    client, school, dsl, deputy, django_capture_on_commit_callbacks
):
    page = client.get(tell_url(school))
    assert page.status_code == 200
    assert b"If you are in danger right now, tell an adult now or call 999." in page.content
    assert b"0800 1111" in page.content and b"childline.org.uk" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(tell_url(school), pupil_payload())

    assert response.status_code == 302 and response["Location"] == thanks_url(school)
    incident = Incident.objects.get()
    assert incident.source == Source.PUPIL and incident.reported_by is None
    assert incident.moderation == Moderation.PENDING and incident.status == Status.REPORTED
    assert incident.description == WORDS and incident.raised_by_name == "" and incident.still_happening is True
    assert incident.school == school and not incident.steps.exists()
    reported = TimelineEntry.objects.get(incident=incident, kind=EntryKind.REPORTED)
    assert reported.author is None and reported.data["source"] == "pupil" and reported.data["when"] == "week"
    assert TimelineEntry.objects.filter(incident=incident, kind=EntryKind.ALERT).exists()
    assert chain.verify(TimelineEntry) == []
    # The DSL team is told: the reference and a link, never what the pupil wrote.
    assert len(mail.outbox) == 1 and sorted(mail.outbox[0].to) == sorted([dsl.email, deputy.email])
    assert incident.reference in mail.outbox[0].body and WORDS not in mail.outbox[0].body
    assert "tell-someone link" in mail.outbox[0].body


def test_a_pupil_may_give_their_name_and_form(client, school, dsl):
    client.post(tell_url(school), pupil_payload(name="Sam, 9R", still_happening="unsure"))
    incident = Incident.objects.get()
    assert incident.raised_by_name == "Sam, 9R" and incident.still_happening is None


def test_the_dsl_sees_it_marked_on_the_dashboard_and_the_case(client, signed_in, school, dsl):
    client.post(tell_url(school), pupil_payload())
    incident = Incident.objects.get()
    signed_in(dsl)
    dashboard = client.get(reverse("incidents:dashboard"), {"queue": "unacknowledged"})
    assert incident.reference.encode() in dashboard.content
    assert b"Pupil-raised: to check" in dashboard.content
    case = client.get(reverse("incidents:case", args=[incident.reference]))
    assert case.status_code == 200 and WORDS.encode() in case.content
    assert b"anonymously" in case.content and b'data-testid="moderation"' in case.content


def test_no_member_of_staffs_own_reports_list_it(client, signed_in, school, staff, dsl):
    client.post(tell_url(school), pupil_payload())
    incident = Incident.objects.get()
    signed_in(staff)
    mine = client.get(reverse("incidents:index"))
    assert mine.status_code == 200 and incident.reference.encode() not in mine.content
    assert client.get(reverse("incidents:my_report", args=[incident.reference])).status_code == 404
    assert client.get(reverse("incidents:case", args=[incident.reference])).status_code in (403, 404)


def test_nobody_outside_the_dsl_team_and_the_head_can_open_it(
    client, signed_in, school, staff, osl, technician, governor, parent, trust_lead, outsider
):
    client.post(tell_url(school), pupil_payload())
    incident = Incident.objects.get()
    for person in (staff, osl, technician, governor, parent, trust_lead, outsider):
        signed_in(person)
        assert client.get(reverse("incidents:case", args=[incident.reference])).status_code in (403, 404), person
        assert client.get(reverse("incidents:shared_case", args=[incident.reference])).status_code in (403, 404)
        client.logout()

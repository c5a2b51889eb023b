"""A pupil can say their report is about an adult at school. It is then an allegation about a member of staff,
routed as a member of staff's report about a colleague is (incidents.services.route_for): to the headteacher, not
the DSL team, who do not see it unless the head shares it (the allegation rules, incidents.access). The head
checks it and accepts it as an allegation or dismisses it."""

import pytest
from django.core import mail
from django.urls import reverse

from incidents import pupil_reports
from incidents.categories import Category
from incidents.models import Incident, Moderation, Route, Source, Status

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db

ADULT_WORDS = "A teacher keeps messaging me on Instagram late at night and asked me not to tell anyone"


def test_the_form_offers_the_choice_in_plain_words(client, school):
    page = client.get(tell_url(school)).content.decode()
    assert 'value="adult"' in page
    assert "A teacher or another adult at school" in page
    assert "The headteacher, something they did or said" in page
    # Who reads it, said as plainly as the page says the safeguarding team reads the rest.
    assert "the headteacher reads it instead" in page


def test_a_report_about_an_adult_at_school_goes_to_the_head_not_the_dsl_team(
    client, school, head, dsl, deputy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            tell_url(school), pupil_payload(about="adult", description=ADULT_WORDS, still_happening="no")
        )
    assert response.status_code == 302

    incident = Incident.objects.get()
    assert (incident.route, incident.category, incident.source) == (
        Route.HEADTEACHER,
        Category.STAFF_CONDUCT,
        Source.PUPIL,
    )
    assert incident.moderation == Moderation.PENDING and incident.subject_staff is None
    (alert,) = mail.outbox
    assert alert.to == [head.email]  # not the DSL or the deputy
    assert ADULT_WORDS not in alert.body


def test_the_dsl_who_is_not_the_head_cannot_see_it_and_the_head_can_check_it(client, signed_in, school, head, dsl):
    client.post(tell_url(school), pupil_payload(about="adult", description=ADULT_WORDS))
    incident = Incident.objects.get()
    case_url = reverse("incidents:case", args=[incident.reference])

    signed_in(dsl)
    assert client.get(case_url).status_code == 404
    assert incident.reference.encode() not in client.get(reverse("incidents:dashboard")).content

    signed_in(head)
    page = client.get(case_url)
    assert page.status_code == 200 and ADULT_WORDS.encode() in page.content
    assert b'data-testid="moderation"' in page.content
    accepted = client.post(
        reverse("incidents:case_action", args=[incident.reference]),
        {"action": "pupil_accept", "category": Category.STAFF_CONDUCT, "text": ""},
    )
    assert accepted.status_code in (200, 302)
    incident.refresh_from_db()
    assert incident.moderation == Moderation.ACCEPTED and incident.status == Status.ACKNOWLEDGED
    assert incident.route == Route.HEADTEACHER and incident.category == Category.STAFF_CONDUCT


def test_accepting_it_cannot_turn_it_into_a_pupils_concern_for_the_dsl_team(client, school, head):
    client.post(tell_url(school), pupil_payload(about="adult", description=ADULT_WORDS))
    incident = Incident.objects.get()
    with pytest.raises(Exception, match="adult at school"):
        pupil_reports.pupil_report_accept(incident=incident, by=head, category=Category.CYBERBULLYING)


def test_a_report_about_the_headteacher_goes_to_the_chair_and_the_head_never_sees_it(
    client, signed_in, school, head, dsl, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(tell_url(school), pupil_payload(about="head", description=ADULT_WORDS, still_happening="no"))

    incident = Incident.objects.get()
    assert (incident.route, incident.category) == (Route.CHAIR, Category.STAFF_CONDUCT)
    (alert,) = mail.outbox
    assert alert.to == [chair.email]
    case_url = reverse("incidents:case", args=[incident.reference])
    for someone in (head, dsl):
        signed_in(someone)
        assert client.get(case_url).status_code == 404
    signed_in(chair)
    assert client.get(case_url).status_code == 200

import pytest
from django.core import mail
from django.urls import reverse

from incidents.categories import Category
from incidents.models import Incident, Route

from .incident_helpers import make_case, report_payload

pytestmark = pytest.mark.django_db


def test_an_allegation_about_a_teacher_reaches_only_the_head(
    client, signed_in, school, staff, dsl, deputy, head, osl, django_capture_on_commit_callbacks
):
    signed_in(osl)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("incidents:report"),
            report_payload(
                category=Category.STAFF_CONDUCT,
                about_staff="on",
                subject_staff=str(staff.pk),
                description="A teacher messaged a pupil on a personal account.",
            ),
        )
    incident = Incident.objects.get()
    assert incident.route == Route.HEADTEACHER and incident.subject_staff == staff
    assert [m.to for m in mail.outbox] == [[head.email]]

    case_url = reverse("incidents:case", args=[incident.reference])
    signed_in(head)
    assert client.get(case_url).status_code == 200
    for user in (dsl, deputy):
        signed_in(user)
        assert client.get(case_url).status_code == 404
        assert incident.reference.encode() not in client.get(reverse("incidents:dashboard")).content


def test_the_head_can_share_an_allegation_with_the_dsl_team(client, signed_in, school, staff, dsl, head, osl):
    incident = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    signed_in(head)
    client.post(
        reverse("incidents:case_action", args=[incident.reference]),
        {"action": "share", "text": "LADO advised the DSL should lead the support for the pupil."},
    )
    signed_in(dsl)
    assert client.get(reverse("incidents:case", args=[incident.reference])).status_code == 200


def test_the_member_of_staff_concerned_never_sees_it_even_as_a_dsl(client, signed_in, school, staff, dsl, head):
    incident = make_case(school=school, reporter=staff, category=Category.STAFF_CONDUCT, subject_staff=dsl)
    assert incident.route == Route.HEADTEACHER
    from incidents import services

    services.case_share_with_dsl_team(incident=incident, by=head, reason="Shared for support planning")
    signed_in(dsl)
    assert client.get(reverse("incidents:case", args=[incident.reference])).status_code == 404


def test_a_concern_about_the_headteacher_goes_to_the_chair_of_governors(
    client, signed_in, school, staff, dsl, head, chair, governor, django_capture_on_commit_callbacks
):
    signed_in(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("incidents:report"),
            report_payload(category=Category.STAFF_CONDUCT, about_staff="on", subject_staff=str(head.pk)),
        )
    incident = Incident.objects.get()
    assert incident.route == Route.CHAIR
    assert [m.to for m in mail.outbox] == [[chair.email]]
    case_url = reverse("incidents:case", args=[incident.reference])
    signed_in(chair)
    assert client.get(case_url).status_code == 200
    for user in (head, dsl, governor):
        signed_in(user)
        assert client.get(case_url).status_code in (403, 404)

import pytest
from django.core import mail
from django.urls import reverse

from incidents.models import EntryKind, Incident, Status

from .factories import PupilFactory
from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db


def test_staff_report_gets_a_quotable_reference_and_alerts_the_dsl_and_deputy(
    client, signed_in, school, staff, dsl, deputy, head, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school, legal_forename="Jo", surname="Marsh")
    signed_in(staff)
    payload = report_payload(pupil=[str(pupil.pk)], **{f"pupil_role_{pupil.pk}": "harmed"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:report"), payload)

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:reported", args=[incident.reference])
    assert incident.reference.startswith("OAK-") and incident.reference.endswith("-0001")
    assert incident.status == Status.REPORTED
    assert incident.reported_by == staff
    assert list(incident.pupil_links.values_list("pupil__surname", "role")) == [("Marsh", "harmed")]
    assert list(incident.entries.values_list("kind", flat=True)) == [EntryKind.REPORTED, EntryKind.ALERT]
    assert incident.steps.filter(mandatory=True).count() == incident.open_mandatory_steps > 0

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert sorted(email.to) == sorted([dsl.email, deputy.email])
    assert head.email not in email.to and staff.email not in email.to
    assert incident.reference in email.subject and "Conduct" in email.body
    # Emails carry a reference, the category group and a link: never names or what was reported.
    assert "Marsh" not in email.body and "Jo" not in email.body and "group chat" not in email.body

    confirmation = client.get(response["Location"])
    assert incident.reference.encode() in confirmation.content


def test_references_count_up_per_school_and_year(client, signed_in, school, staff, dsl):
    signed_in(staff)
    client.post(reverse("incidents:report"), report_payload())
    client.post(reverse("incidents:report"), report_payload())
    numbers = sorted(Incident.objects.values_list("reference", flat=True))
    assert numbers[0].endswith("-0001") and numbers[1].endswith("-0002")

import pytest
from django.urls import reverse

from incidents.models import Incident

from .factories import PASSWORD, PupilFactory
from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db


def test_a_report_sent_after_the_session_expired_is_kept_and_sent_once_after_sign_in(client, school, staff, dsl):
    pupil = PupilFactory(school=school, legal_forename="Ava", surname="Lloyd")
    payload = report_payload(
        description="Typed slowly on a phone during break duty",
        pupil=[str(pupil.pk)],
        **{f"pupil_role_{pupil.pk}": "witness"},
    )
    # Signed in this morning; the session ran out while they typed.
    from .conftest import sign_in
    from .test_resume_keeps_a_form_sent_after_the_session_expired import _expire, _resume_form

    sign_in(client, staff, two_factor=False)
    assert client.get(reverse("incidents:report")).status_code == 200
    _expire(client)
    response = client.post(reverse("incidents:report"), payload)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert Incident.objects.count() == 0

    resume_url = response["Location"].split("next=")[1].replace("%2F", "/")
    signed = client.post(reverse("accounts:login"), {"username": staff.email, "password": PASSWORD, "next": resume_url})
    assert signed["Location"] == resume_url
    page = client.get(resume_url)
    assert b"Typed slowly on a phone during break duty" in page.content
    assert b"Send it now" in page.content

    action, kept = _resume_form(page.content.decode())
    assert action == reverse("incidents:report")
    fields = {name: value for name, value in kept if name != "pupil"}
    sent = client.post(reverse("incidents:report"), {**fields, "pupil": [str(pupil.pk)]})
    again = client.post(reverse("incidents:report"), {**fields, "pupil": [str(pupil.pk)]})
    incident = Incident.objects.get()
    assert sent["Location"] == again["Location"] == reverse("incidents:reported", args=[incident.reference])
    assert incident.description == "Typed slowly on a phone during break duty"
    assert list(incident.pupil_links.values_list("role", flat=True)) == ["witness"]

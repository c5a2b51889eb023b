"""Opening a pupil's record writes "record viewed" to the audit log, and the record lists who opened it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .factories import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_forename="Ivy", surname="Hartwell", upn="H12345678901A")


def test_opening_a_pupil_record_is_audited(client, signed_in, dsl, school, pupil):
    signed_in(dsl)

    response = client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk}), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.RECORD_VIEWED)
    assert event.actor == dsl
    assert event.actor_email == "dsl@oak.example"
    assert event.school == school
    assert (event.object_type, event.object_id) == ("schools.pupil", str(pupil.pk))
    assert event.summary == "Pupil record H12345678901A"
    assert event.ip == "10.1.2.3"


def test_the_record_lists_everyone_who_opened_it(client, signed_in, dsl, deputy, head, pupil):
    url = reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk})
    for viewer in (deputy, head):
        signed_in(viewer)
        client.get(url)
    signed_in(dsl)

    response = client.get(url)

    views = response.content.decode().split('data-testid="record-views"')[1].split("</ul>")[0]
    # Newest first, and the person looking now is included.
    assert views.index("dsl@oak.example") < views.index("head@oak.example") < views.index("deputy@oak.example")
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED).count() == 3


def test_views_of_another_pupil_are_not_listed(client, signed_in, dsl, deputy, school, pupil):
    other = PupilFactory(school=school)
    signed_in(deputy)
    client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": other.pk}))
    signed_in(dsl)

    response = client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk}))

    views = response.content.decode().split('data-testid="record-views"')[1].split("</ul>")[0]
    assert "dsl@oak.example" in views
    assert "deputy@oak.example" not in views


def test_a_refused_or_missing_record_is_not_logged_as_viewed(client, signed_in, staff, outsider, pupil):
    signed_in(staff)
    assert client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk})).status_code == 403
    signed_in(outsider)
    assert client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": pupil.pk})).status_code == 404

    assert not AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED).exists()

"""The DSL team replaces the pupils' link (a poster shared outside school, abuse): the old link and its QR code
stop working at once, and show where to get help without naming the school; the new one works. The change
is in the audit log."""

import pytest
from django.urls import reverse

from incidents import pupil_reports
from incidents.models import Incident, PupilReportLink
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db


def test_a_replaced_link_stops_working(client, signed_in, school, dsl):
    old_url = tell_url(school)
    signed_in(dsl)
    page = client.get(reverse("incidents:pupil_link"))
    assert page.status_code == 200 and b"<svg" in page.content and old_url.encode() in page.content

    unconfirmed = client.post(reverse("incidents:pupil_link"))
    assert unconfirmed.status_code == 302 and tell_url(school) == old_url
    rotated = client.post(reverse("incidents:pupil_link"), {"confirm": "yes"})

    assert rotated.status_code == 302
    new_url = tell_url(school)
    assert new_url != old_url
    link = PupilReportLink.objects.get(school=school)
    assert link.rotated_by == dsl and link.rotated_at is not None
    event = AuditEvent.objects.get(action=AuditAction.PUPIL_LINK_ROTATED)
    assert event.actor == dsl and event.school == school
    client.logout()

    gone = client.get(old_url)
    assert gone.status_code == 404 and b"doesn't work any more" in gone.content
    assert school.name.encode() not in gone.content and b"0800 1111" in gone.content
    assert client.post(old_url, pupil_payload()).status_code == 404
    assert not Incident.objects.exists()
    assert client.post(new_url, pupil_payload()).status_code == 302
    assert Incident.objects.count() == 1


def test_only_the_dsl_team_manages_the_link(client, signed_in, school, staff, governor):
    for person in (staff, governor):
        signed_in(person)
        assert client.get(reverse("incidents:pupil_link")).status_code == 403
        assert client.post(reverse("incidents:pupil_link"), {"confirm": "yes"}).status_code == 403
    assert pupil_reports.pupil_link_for(school=school).rotated_at is None

"""A whole-staff briefing: one form, one session, a record per attendee with its own expiry."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from curriculum.models import BriefingSession, TrainingRecord

from . import factories_curriculum as f

pytestmark = pytest.mark.django_db


def test_the_dsl_records_a_briefing_for_the_people_who_attended(client, signed_in, school, dsl, staff, technician, osl):
    signed_in(dsl)
    form = client.get(reverse("curriculum:briefing_new")).content.decode()
    assert escape(staff.full_name) in form and escape(technician.full_name) in form
    response = client.post(
        reverse("curriculum:briefing_new"),
        {
            "requirement": f.requirement(school, "annual_update").pk,
            "title": "September INSET: KCSiE 2026",
            "provider": "DSL, in school",
            "delivered_on": "2026-09-02",
            "hours": "1.5",
            "notes": "Filtering roles",
            "attendees": [str(staff.pk), str(technician.pk)],
        },
    )
    session = BriefingSession.objects.get()
    assert response.status_code == 302 and response.url == reverse("curriculum:briefing", args=[session.pk])
    records = TrainingRecord.objects.filter(briefing=session)
    assert {r.user_id for r in records} == {staff.pk, technician.pk}
    assert all(str(r.expires_on) == "2027-09-02" for r in records)
    assert not TrainingRecord.objects.filter(user=osl).exists()
    page = client.get(response.url).content.decode()
    assert "Attendance (2)" in page and escape(staff.full_name) in page


def test_a_briefing_with_nobody_ticked_is_refused(client, signed_in, school, dsl):
    signed_in(dsl)
    response = client.post(
        reverse("curriculum:briefing_new"),
        {
            "requirement": f.requirement(school, "annual_update").pk,
            "title": "T",
            "provider": "P",
            "delivered_on": "2026-09-02",
            "hours": "1",
        },
    )
    assert response.status_code == 200 and not BriefingSession.objects.exists()


def test_someone_from_another_school_cannot_be_ticked(client, signed_in, school, dsl, outsider):
    signed_in(dsl)
    response = client.post(
        reverse("curriculum:briefing_new"),
        {
            "requirement": f.requirement(school, "annual_update").pk,
            "title": "T",
            "provider": "P",
            "delivered_on": "2026-09-02",
            "hours": "1",
            "attendees": [str(outsider.pk)],
        },
    )
    assert response.status_code == 200 and not TrainingRecord.objects.exists()

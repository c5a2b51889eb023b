"""The DSL (or the head) ticks the languages the school offers its parents on the school details page; the
change is saved with an audit event saying what it was before and after."""

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _details(school, **changes):
    data = {
        "name": school.name,
        "local_authority": school.local_authority or "Wiltshire",
        "address": school.address or "1 Oak Lane",
        "phone": school.phone or "01234 567890",
    }
    return data | changes


def test_the_dsl_offers_polish_and_urdu_and_the_change_is_audited(client, dsl, school, signed_in):
    signed_in(dsl)
    page = client.get(reverse("schools:settings"))
    assert "Languages offered to parents" in page.content.decode()

    response = client.post(reverse("schools:settings"), _details(school, parent_languages=["ur", "pl"]))

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.parent_languages == ["pl", "ur"]  # in the portal's order, whatever the form's
    event = AuditEvent.objects.filter(action=AuditAction.SCHOOL_UPDATED).latest("seq")
    assert event.actor == dsl
    assert event.detail["parent_languages"] == {"from": [], "to": ["pl", "ur"]}


def test_a_language_the_portal_does_not_translate_into_is_refused(client, head, school, signed_in):
    signed_in(head)
    response = client.post(reverse("schools:settings"), _details(school, parent_languages=["fr"]))
    assert response.status_code == 200 and "is not one of the available choices" in response.content.decode()
    school.refresh_from_db()
    assert school.parent_languages == []


def test_staff_without_the_school_settings_cannot_change_them(client, staff, school, signed_in):
    signed_in(staff)
    response = client.post(reverse("schools:settings"), _details(school, parent_languages=["pl"]))
    assert response.status_code == 403
    school.refresh_from_db()
    assert school.parent_languages == []

"""The school's settings pages save through one atomic service: the change and its audit event together.

With ``ATOMIC_REQUESTS`` off, a view that saved the form and then wrote the audit event could leave a change
nobody can trace when the second write failed. The services in ``schools.services`` take the user, the
school and where the request came from (``Origin``), never the request.
"""

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.services import Origin
from safeguarding_portal.schools import services
from safeguarding_portal.schools.forms import ContactFormSet, SchoolDetailsForm

pytestmark = pytest.mark.django_db


def _details(school, **changes):
    data = {
        "name": school.name,
        "local_authority": school.local_authority or "Wiltshire",
        "address": school.address or "1 Oak Lane",
        "phone": school.phone or "01234 567890",
    }
    return data | changes


def test_the_details_page_saves_the_change_and_audits_who_what_and_from_where(client, head, school, signed_in):
    signed_in(head)

    response = client.post(
        reverse("schools:settings"),
        _details(school, phone="01632 960001"),
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Office PC",
    )

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.phone == "01632 960001"
    event = AuditEvent.objects.get(action=AuditAction.SCHOOL_UPDATED)
    assert (event.actor, event.school, event.ip, event.user_agent) == (head, school, "203.0.113.9", "Office PC")
    assert "phone" in event.detail["fields"] and event.summary == "School details changed"


def test_a_failed_audit_write_leaves_the_details_unchanged(school, head, monkeypatch):
    before = school.phone
    form = SchoolDetailsForm(_details(school, phone="01632 960002"), instance=school)
    assert form.is_valid()

    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        services.school_details_save(school=school, user=head, form=form, origin=Origin(ip="203.0.113.9"))

    school.refresh_from_db()
    assert school.phone == before


def test_a_failed_audit_write_leaves_the_contacts_unchanged(school, head, monkeypatch):
    before = list(school.contacts.values_list("pk", "name"))
    data = {
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-kind": "lado",
        "contacts-0-name": "Wiltshire LADO",
        "contacts-0-phone": "01632 960003",
    }
    formset = ContactFormSet(data, instance=school, prefix="contacts")
    assert formset.is_valid(), formset.errors

    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        services.school_contacts_save(school=school, user=head, formset=formset)

    assert list(school.contacts.values_list("pk", "name")) == before


def test_a_form_bound_to_another_school_is_refused(school, other_school, head):
    form = SchoolDetailsForm(_details(other_school, phone="01632 960004"), instance=other_school)
    assert form.is_valid()

    with pytest.raises(ValueError):
        services.school_details_save(school=school, user=head, form=form)

    other_school.refresh_from_db()
    assert other_school.phone != "01632 960004"
    assert not AuditEvent.objects.filter(action=AuditAction.SCHOOL_UPDATED).exists()

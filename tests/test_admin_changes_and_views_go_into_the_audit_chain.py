"""What an administrator does in Django's admin is recorded in the tamper-evident audit chain, not only in the
admin's own editable history: granting superuser, changing a pupil's name or a parent's parental responsibility,
and opening or listing pupils. Safeguarding records themselves are never editable there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import ChainedRecord
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.selectors import views_of
from safeguarding_portal.schools.models import Pupil

from .admin_helpers import submit_change_form
from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return UserFactory(email="admin@portal.example", full_name="Portal Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def in_admin(client, signed_in, operator):
    signed_in(operator)
    return client


@pytest.fixture
def pupil(school):
    pupil = PupilFactory(school=school, legal_forename="Zoë", surname="O'Brien", upn="A123456789012")
    PupilGuardianFactory(pupil=pupil, guardian=GuardianFactory(school=school, full_name="Siân O'Brien"))
    return pupil


def _chain_intact():
    assert chain.verify(AuditEvent) == []


def test_granting_superuser_is_recorded_in_the_chain(in_admin, operator, staff):
    url = reverse("admin:accounts_user_change", args=[staff.pk])

    response = submit_change_form(in_admin, url, is_superuser=True, is_staff=True)

    assert response.status_code == 302, response.content[:2000]
    staff.refresh_from_db()
    assert staff.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_RIGHTS_CHANGED)
    assert event.actor == operator and event.school is None
    assert "staff@oak.example" in event.summary and "superuser" in event.summary
    assert event.detail["changes"]["is_superuser"] == [False, True]
    assert event.object_type == "accounts.user" and event.object_id == str(staff.pk)
    _chain_intact()


def test_editing_a_pupils_name_is_recorded_at_the_pupils_school(
    in_admin, operator, school, pupil, dsl, signed_in, client
):
    url = reverse("admin:schools_pupil_change", args=[pupil.pk])

    response = submit_change_form(in_admin, url, legal_forename="Zoe")

    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED, object_type="schools.pupil")
    assert event.school == school and event.actor == operator
    assert event.detail["changes"]["legal_forename"] == ["Zoë", "Zoe"]
    _chain_intact()
    # The DSL reads it in the school's audit log.
    signed_in(dsl)
    assert "Pupil A123456789012 changed in the admin" in client.get(reverse("audit:log")).content.decode()


def test_removing_parental_responsibility_is_recorded(in_admin, school, pupil):
    url = reverse("admin:schools_pupil_change", args=[pupil.pk])

    response = submit_change_form(in_admin, url, **{"guardian_links-0-has_parental_responsibility": False})

    assert response.status_code == 302, response.content[:2000]
    assert not pupil.guardian_links.get().has_parental_responsibility
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED, object_type="schools.pupilguardian")
    assert event.school == school
    assert event.detail["changes"]["has_parental_responsibility"] == [True, False]
    assert "Siân O'Brien" in event.summary
    _chain_intact()


def test_opening_a_pupil_in_the_admin_is_a_recorded_view_shown_on_the_record(in_admin, operator, school, pupil):
    response = in_admin.get(reverse("admin:schools_pupil_change", args=[pupil.pk]))

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.RECORD_VIEWED)
    assert event.school == school and event.actor == operator
    assert [e.actor_email for e in views_of(obj=pupil)] == ["admin@portal.example"]


def test_listing_pupils_in_the_admin_is_recorded_at_each_school_shown(in_admin, school, other_school, pupil):
    PupilFactory(school=other_school)

    response = in_admin.get(reverse("admin:schools_pupil_changelist"), {"q": "Brien"})

    assert response.status_code == 200
    listed = AuditEvent.objects.get(action=AuditAction.RECORD_VIEWED)
    assert listed.school == school
    assert listed.detail["pupils"] == [pupil.pk] and listed.detail["search"] == "Brien"


def test_pupils_and_parents_cannot_be_deleted_in_the_admin(operator, pupil):
    request = RequestFactory().get("/")
    request.user = operator
    for model in (Pupil, pupil.guardian_links.get().guardian.__class__):
        assert not admin.site._registry[model].has_delete_permission(request, None), model


# The apps whose every model is a safeguarding record (or state read from one): none may be written in the admin.
SAFEGUARDING_APPS = ("incidents", "aup", "filtering", "duty", "monitoring")


def test_safeguarding_records_are_read_only_in_the_admin(operator):
    request = RequestFactory().get("/")
    request.user = operator
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, ChainedRecord) or model._meta.app_label in SAFEGUARDING_APPS:
            checked += 1
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_change_permission(request, None), model
            assert not model_admin.has_delete_permission(request, None), model
    assert checked >= 1  # the audit log at least

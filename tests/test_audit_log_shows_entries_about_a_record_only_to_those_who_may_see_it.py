"""The audit log never tips anyone off: an entry about a record ("head viewed case OAK-...") is listed only to
those who may open that record. An allegation about a teacher stays the head's, a concern about the head stays
the chair's, and nobody reads who opened a case about themselves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import services
from incidents.categories import Category
from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db

AUDIT = reverse("audit:log")


def _opened(client, signed_in, user, incident) -> None:
    signed_in(user)
    assert client.get(reverse("incidents:case", args=[incident.reference])).status_code == 200


def _audit_page(client, signed_in, user, **params) -> str:
    signed_in(user)
    response = client.get(AUDIT, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dsl_does_not_read_that_the_head_opened_an_allegation(client, signed_in, school, staff, dsl, head, osl):
    allegation = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    _opened(client, signed_in, head, allegation)
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED, object_id=str(allegation.pk)).exists()

    for_dsl = _audit_page(client, signed_in, dsl)
    searched = _audit_page(client, signed_in, dsl, who="head", action=AuditAction.RECORD_VIEWED)
    for_head = _audit_page(client, signed_in, head)

    assert allegation.reference not in for_dsl
    assert allegation.reference not in searched
    assert allegation.reference in for_head


def test_the_head_does_not_read_that_the_chair_opened_a_concern_about_them(
    client, signed_in, school, head, chair, dsl, staff
):
    about_head = make_case(school=school, reporter=staff, category=Category.STAFF_CONDUCT, subject_staff=head)
    _opened(client, signed_in, chair, about_head)

    assert about_head.reference not in _audit_page(client, signed_in, head)
    assert about_head.reference not in _audit_page(client, signed_in, dsl)


def test_once_the_head_shares_an_allegation_the_dsl_reads_its_entries(client, signed_in, school, staff, dsl, head, osl):
    allegation = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    _opened(client, signed_in, head, allegation)
    services.case_share_with_dsl_team(incident=allegation, by=head, reason="The DSL leads the pupil's support")

    assert allegation.reference in _audit_page(client, signed_in, dsl)


def test_nobody_reads_who_opened_a_case_about_themselves(client, signed_in, school, staff, dsl, deputy, head):
    about_dsl = make_case(school=school, reporter=staff, category=Category.STAFF_CONDUCT, subject_staff=dsl)
    services.case_share_with_dsl_team(incident=about_dsl, by=head, reason="Deputy to support")
    _opened(client, signed_in, deputy, about_dsl)

    assert about_dsl.reference not in _audit_page(client, signed_in, dsl)
    assert about_dsl.reference in _audit_page(client, signed_in, deputy)


def test_entries_about_an_allegations_attachment_are_hidden_too(client, signed_in, school, staff, dsl, head, osl):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    allegation = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    upload = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    item = services._attach(incident=allegation, upload=upload, by=osl, at=timezone.now())
    signed_in(head)
    assert client.get(reverse("incidents:attachment", args=[allegation.reference, item.pk])).status_code == 200

    assert f"Attachment on {allegation.reference}" not in _audit_page(client, signed_in, dsl)
    assert f"Attachment on {allegation.reference}" in _audit_page(client, signed_in, head)


def test_the_dsl_still_reads_entries_about_pupils_cases_and_sign_ins(client, signed_in, school, staff, dsl, deputy):
    case = make_case(school=school, reporter=staff)
    _opened(client, signed_in, deputy, case)

    page = _audit_page(client, signed_in, dsl)

    assert f"Case {case.reference}" in page
    assert "deputy@oak.example" in page


def test_child_protection_file_entries_are_for_the_dsl_team_who_hold_the_files(client, signed_in, school, dsl, head):
    from incidents.models import CPFileTransfer
    from safeguarding_portal.audit.services import audit_record

    from .access_samples import SampleContext, _cp_file_transfer_id

    transfer = CPFileTransfer.objects.get(pk=_cp_file_transfer_id(SampleContext(school=school, client=client)))
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        actor=dsl,
        school=school,
        obj=transfer,
        summary=f"Child-protection file transfer for pupil {transfer.pupil.upn}",
    )

    assert transfer.pupil.upn in _audit_page(client, signed_in, dsl)
    assert transfer.pupil.upn not in _audit_page(client, signed_in, head)

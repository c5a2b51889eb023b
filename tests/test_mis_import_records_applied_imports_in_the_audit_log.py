"""Each applied import is one entry in the school's audit log; a rejected one changes nothing there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.audit.chain import verify
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.schools.models import ImportRun

pytestmark = pytest.mark.django_db

GOOD = b"UPN,Forename,Surname,DOB,Year\nA123456789012,Oliver,Smith,17/05/2016,5\n"
BAD = b"UPN,Forename,Surname,DOB,Year\nA123456789012,Oliver,Smith,31/02/2016,5\n"


def _upload(client, data: bytes, name: str):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("schools:import"), {"kind": "pupils", "file": file}, REMOTE_ADDR="203.0.113.9")


def test_an_applied_import_is_audited_with_who_what_and_the_counts(client, dsl, signed_in, school):
    signed_in(dsl)

    _upload(client, GOOD, "roll.csv")

    run = ImportRun.objects.get(school=school)
    event = AuditEvent.objects.get(action=AuditAction.PEOPLE_IMPORTED)
    assert (event.actor, event.school, event.object_id, event.ip) == (dsl, school, str(run.pk), "203.0.113.9")
    assert event.detail["created"] == 1 and event.detail["sha256"] == run.sha256
    assert event.detail["filename"] == "roll.csv"
    assert "roll.csv" in event.summary
    assert verify(AuditEvent) == []


def test_a_rejected_import_adds_nothing_to_the_audit_log(client, dsl, signed_in, school):
    signed_in(dsl)

    _upload(client, BAD, "roll.csv")

    assert ImportRun.objects.get(school=school).status == "rejected"
    assert not AuditEvent.objects.filter(action=AuditAction.PEOPLE_IMPORTED).exists()

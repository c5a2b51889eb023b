"""An audit event, once written, can be neither changed nor deleted through the ORM."""

from __future__ import annotations

import pytest
from django.utils import timezone

from safeguarding_portal.audit.chain import AppendOnlyError
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(school, dsl):
    return audit_record(action=AuditAction.RECORD_VIEWED, school=school, actor=dsl, summary="Pupil record")


def test_saving_an_existing_event_is_refused(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.summary = "nothing to see"

    with pytest.raises(AppendOnlyError, match="append-only"):
        stored.save()

    assert AuditEvent.objects.get(pk=event.pk).summary == "Pupil record"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError, match="never deleted"):
        AuditEvent.objects.get(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_and_bulk_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="nothing to see")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.get(pk=event.pk).summary == "Pupil record"


def test_an_event_cannot_be_saved_without_being_appended_to_its_chain(school):
    loose = AuditEvent(at=timezone.now(), school=school, action=AuditAction.SCHOOL_UPDATED)

    with pytest.raises(AppendOnlyError, match=r"chain\.append"):
        loose.save()

    assert not AuditEvent.objects.exists()

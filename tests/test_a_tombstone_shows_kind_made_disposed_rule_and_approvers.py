"""A disposed record leaves a tombstone: what kind of record, when it was made, when disposed of, under which rule,
approved by whom (both), shown on the batch's page; the personal content is gone from the case, its timeline, the
others involved and its attachments, while the case's reference and dates stay."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import Attachment, Incident, IncidentOther, TimelineEntry
from incidents.services import case_other_add
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch, Tombstone

from . import clock
from .retention_helpers import closed_case, pupil, swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def test_the_tombstone_says_what_when_which_rule_and_who(
    client, signed_in, school, staff, dsl, head, django_capture_on_commit_callbacks
):
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    from incidents.services import _attach

    upload = SimpleUploadedFile("amelia.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    attachment = _attach(incident=case, upload=upload, by=staff, at=case.reported_at)
    file_name = attachment.file.name
    other = case_other_add(incident=case, by=dsl, name="Uncle Dave", part="Named by the pupil")
    swept()
    batch = DisposalBatch.objects.get()
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the disposal commits
        disposal.batch_approve(school=school, user=head, batch=batch)

    tomb = Tombstone.objects.get(record_model="incidents.Incident", record_id=case.pk)
    assert tomb.kind == "incidents.cp_records" and tomb.kind_label == "Child protection records"
    assert tomb.made_at == case.reported_at and tomb.disposed_at is not None
    assert tomb.rule == "Child protection records: date of birth + 25 years"
    assert [(a["role"], a["email"]) for a in tomb.approved_by] == [("dsl", dsl.email), ("headteacher", head.email)]
    assert tomb.record_label == case.reference and tomb.record_hash == ""
    for entry in TimelineEntry.objects.filter(incident=case):
        stone = Tombstone.objects.get(record_model="incidents.TimelineEntry", record_id=entry.pk)
        assert stone.record_hash == entry.hash

    disposed = Incident.objects.get(pk=case.pk)
    assert (disposed.reference, disposed.reported_at, disposed.description) == (case.reference, case.reported_at, "")
    assert IncidentOther.objects.get(pk=other.pk).name == ""
    kept = Attachment.objects.get(pk=attachment.pk)
    assert (kept.original_name, kept.file.name, kept.sha256) == ("", "", attachment.sha256)
    assert not attachment.file.storage.exists(file_name)

    signed_in(head)
    page = client.get(reverse("retention:batch", kwargs={"batch_id": batch.pk})).content.decode()
    assert 'data-testid="tombstones"' in page and case.reference in page
    assert "Child protection records: date of birth + 25 years" in page
    assert dsl.get_full_name() in page and head.get_full_name() in page
    assert "Amelia" not in page

    # The case's own page says it was disposed of, and shows nothing of what was recorded.
    signed_in(dsl)
    page = client.get(reverse("incidents:case", kwargs={"reference": case.reference})).content.decode()
    assert 'data-testid="case-disposed"' in page and "date of birth + 25 years" in page
    assert "stepfather" not in page and "Uncle Dave" not in page and "amelia.png" not in page

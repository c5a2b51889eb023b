"""Disposing of a case takes with it everything that reaches the child from it: the pupil links (the name is no
longer on the case page), the device searches linked to it (blanked with their entries, each with its tombstone,
and their chains still verify), the CP file PDFs and signed bundles made for its pupils since it was reported
(files deleted once the disposal commits; the transfer record keeps its dates and school), its task titles and the
names of others involved. A held pupil's case keeps all of it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from incidents import searches, services, transfer_bundles
from incidents.models import (
    CaseTask,
    CPFileTransfer,
    DeviceSearch,
    DeviceSearchEntry,
    IncidentPupil,
    TimelineEntry,
    TransferBundle,
)
from safeguarding_portal.audit import chain
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention import services as retention_services
from safeguarding_portal.retention.models import DisposalBatch, Tombstone

from . import clock
from .bundle_helpers import produced
from .retention_helpers import closed_case, pupil, swept

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def _case_with_everything(*, school, staff, dsl, head, child):
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[child])
    services.case_task_add(
        incident=case, by=dsl, title=f"Ring {child.legal_forename}'s aunt", owner=dsl, due_on=timezone.localdate()
    )
    search = searches.search_record(
        school=school,
        by=head,
        pupil=child,
        searched_at=timezone.now(),
        device=f"{child.legal_forename}'s own phone",
        authorised_by=head,
        authority="headteacher",
        searched_by=head,
        witness=None,
        no_witness_reason="Alone with the child at the time",
        grounds="harm",
        reason="Said to hold threats sent to another pupil",
        looked_at="Messages with the other pupil",
        found="Threats, kept for the police",
        child_at_risk=False,
        deleted=False,
        parents_informed=False,
        outcome="held",
        incident=case,
    )
    searches.search_parents_informed(search=search, by=head, text="Told the mother by phone")
    transfer = produced(school=school, dsl=dsl, pupil=child)
    sent = transfer_bundles.bundle_send_link(
        school=school,
        transfer=transfer,
        recipient_email="dsl@newschool.example",
        receiving_school="New School",
        by=dsl,
    )
    return case, search, transfer, sent.bundle


def _dispose(school, dsl, head):
    swept()
    batch = DisposalBatch.objects.get(school=school)
    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)


def test_nothing_of_the_child_is_left_on_the_case_its_searches_files_or_tasks(
    client, signed_in, school, staff, dsl, head, django_capture_on_commit_callbacks
):
    child = pupil(school, legal_forename="Zebedee", surname="Quartermain")
    case, search, transfer, bundle = _case_with_everything(school=school, staff=staff, dsl=dsl, head=head, child=child)
    storage = transfer.pdf.storage
    files = [transfer.pdf.name, bundle.file.name, bundle.encrypted_file.name]
    assert all(storage.exists(name) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        _dispose(school, dsl, head)

    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[case.reference]))
    assert page.status_code == 200
    assert "Quartermain" not in page.content.decode() and "Zebedee" not in page.content.decode()
    assert not IncidentPupil.objects.filter(incident=case).exists()
    assert not child.incident_links.exists()

    search.refresh_from_db()
    assert (search.pupil_id, search.device, search.reason, search.looked_at, search.found) == (None, "", "", "", "")
    assert search.no_witness_reason == disposal_words()
    assert (search.incident_id, search.grounds, search.outcome, search.searched_by) == (case.pk, "harm", "held", head)
    assert not DeviceSearchEntry.objects.filter(search=search).exclude(text="").exists()
    assert Tombstone.objects.filter(record_model="incidents.DeviceSearch", record_id=search.pk).exists()
    assert Tombstone.objects.filter(record_model="incidents.DeviceSearchEntry").count() == 1
    search_page = client.get(reverse("incidents:device_search", args=[search.pk])).content.decode()
    assert "Quartermain" not in search_page and "disposed of" in search_page and "Add the note" not in search_page
    with pytest.raises(ValidationError, match="disposed of"):
        searches.search_note(search=search, by=head, text=f"{child.surname} came back for the phone")

    transfer.refresh_from_db()
    bundle.refresh_from_db()
    assert (transfer.pdf.name, transfer.notes) == ("", "")
    assert transfer.produced_at and transfer.sent_at and transfer.receiving_school == "New School"
    assert (bundle.file.name, bundle.encrypted_file.name) == ("", "")
    assert not any(storage.exists(name) for name in files)
    assert client.get(reverse("incidents:transfer_pdf", args=[transfer.pk])).status_code == 404

    assert CaseTask.objects.get(incident=case).title == ""
    for model in (TimelineEntry, DeviceSearch, DeviceSearchEntry):
        assert not chain.verify(model), model
    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=out)
    assert "incidents.DeviceSearch: intact" in out.getvalue()


def disposal_words() -> str:
    from incidents.disposal import DISPOSED_WORDS

    return DISPOSED_WORDS


def test_a_rolled_back_disposal_keeps_the_files(school, staff, dsl, head, django_capture_on_commit_callbacks):
    child = pupil(school)
    _, _, transfer, bundle = _case_with_everything(school=school, staff=staff, dsl=dsl, head=head, child=child)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        _dispose(school, dsl, head)
        transaction.set_rollback(True)
    assert callbacks == []  # the deletions were dropped with the transaction
    assert transfer.pdf.storage.exists(transfer.pdf.name) and bundle.file.storage.exists(bundle.file.name)
    assert CPFileTransfer.objects.get(pk=transfer.pk).pdf.name == transfer.pdf.name


def test_a_held_pupils_case_keeps_its_links_searches_and_files(school, staff, dsl, head):
    child = pupil(school, surname="Heldfast")
    case, search, transfer, bundle = _case_with_everything(school=school, staff=staff, dsl=dsl, head=head, child=child)
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])  # something to dispose of
    retention_services.hold_place(
        school=school, user=dsl, scope="pupil", pupil=child, reason="inquiry", detail="Inquiry ref INQ-9"
    )
    _dispose(school, dsl, head)
    assert IncidentPupil.objects.filter(incident=case, pupil=child).exists()
    search.refresh_from_db()
    transfer.refresh_from_db()
    assert search.pupil == child and search.found == "Threats, kept for the police"
    assert transfer.pdf.name and TransferBundle.objects.get(pk=bundle.pk).file.name
    assert CaseTask.objects.get(incident=case).title == f"Ring {child.legal_forename}'s aunt"


def test_a_disposed_search_cannot_be_rewritten_unnoticed(school, staff, dsl, head):
    child = pupil(school)
    _, search, _, _ = _case_with_everything(school=school, staff=staff, dsl=dsl, head=head, child=child)
    _dispose(school, dsl, head)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE incidents_devicesearch SET found = %s WHERE id = %s", ["Written back", search.pk])
        assert [b.reason for b in chain.verify(DeviceSearch)] == ["what is left of a disposed record was changed"]
        transaction.set_rollback(True)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_devicesearch SET searched_by_id = NULL WHERE id = %s", [search.pk])

import datetime
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from incidents import transfers
from incidents.categories import Category
from incidents.models import CPFileTransfer
from safeguarding_portal.audit.models import AuditEvent

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(school, staff, head):
    pupil = PupilFactory(school=school, legal_forename="Sam", surname="Leaver")
    make_case(school=school, reporter=staff, pupils=[pupil], description="Sam was sent messages by an adult.")
    make_case(
        school=school,
        reporter=staff,
        pupils=[pupil],
        category=Category.STAFF_CONDUCT,
        subject_staff=head,
        description="Hidden allegation text.",
    )
    return pupil


def _produce(client, pupil) -> CPFileTransfer:
    response = client.post(reverse("incidents:cp_file_produce", args=[pupil.pk]))
    transfer = CPFileTransfer.objects.get(pupil=pupil)
    assert response.status_code == 302 and response["Location"] == reverse("incidents:transfer", args=[transfer.pk])
    # The request asked for it; the background task (incidents.build_cp_file) builds it.
    return transfers.cp_file_build(transfer_id=transfer.pk)


def test_producing_stores_the_pdf_with_its_checksum_and_only_visible_cases(client, signed_in, dsl, leaver, tmp_path):
    signed_in(dsl)
    transfer = _produce(client, leaver)
    assert default_storage.exists(transfer.pdf.name)
    with default_storage.open(transfer.pdf.name, "rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == transfer.sha256
    assert transfer.incident_count == 1 and transfer.produced_by == dsl
    assert AuditEvent.objects.filter(detail__export="cp_file_pdf", detail__sha256=transfer.sha256).exists()

    download = client.get(reverse("incidents:transfer_pdf", args=[transfer.pk]))
    assert download.status_code == 200 and download.content == stored
    (tmp_path / "cp_file.pdf").write_bytes(stored)
    import subprocess

    # poppler's pdftotext reads the text back, as a reader of the PDF would.
    text = subprocess.run(["pdftotext", str(tmp_path / "cp_file.pdf"), "-"], capture_output=True, text=True).stdout  # noqa: S603, S607
    assert "Child-protection file" in text and "Sam was sent messages" in text
    assert "Hidden allegation text" not in text


def test_sending_then_confirming_is_recorded_once_each(client, signed_in, dsl, leaver):
    signed_in(dsl)
    transfer = _produce(client, leaver)
    url = reverse("incidents:transfer", args=[transfer.pk])
    sent_at = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        url,
        {
            "action": "sent",
            "sent_at": sent_at.strftime("%Y-%m-%dT%H:%M"),
            "method": "secure_portal",
            "receiving_school": "Elm Secondary",
            "receiving_urn": "123456",
            "receiving_contact": "Ms Elm, DSL",
        },
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.sent_by == dsl and transfer.method == "secure_portal" and transfer.receiving_urn == "123456"
    assert transfer.confirm_by == transfers.add_school_days(school=transfer.school, start=sent_at.date(), days=5)

    again = client.post(
        url,
        {
            "action": "sent",
            "sent_at": sent_at.strftime("%Y-%m-%dT%H:%M"),
            "method": "recorded_post",
            "receiving_school": "Somewhere Else",
        },
        follow=True,
    )
    assert "already recorded" in again.content.decode()
    transfer.refresh_from_db()
    assert transfer.receiving_school == "Elm Secondary"

    response = client.post(
        url,
        {"action": "confirmed", "confirmed_at": sent_at.strftime("%Y-%m-%dT%H:%M"), "confirmed_by_name": "Ms Elm, DSL"},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.confirmed_by_name == "Ms Elm, DSL" and transfer.confirmation_recorded_by == dsl


def test_a_bad_sending_form_explains_and_keeps_what_was_typed(client, signed_in, dsl, leaver):
    signed_in(dsl)
    transfer = _produce(client, leaver)
    response = client.post(
        reverse("incidents:transfer", args=[transfer.pk]),
        {
            "action": "sent",
            "sent_at": "2999-01-01T09:00",
            "method": "secure_email",
            "receiving_school": "Typed School Name",
            "receiving_urn": "12",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A URN is six digits." in html and "Typed School Name" in html
    transfer.refresh_from_db()
    assert transfer.sent_at is None


def test_unconfirmed_after_five_school_days_shows_as_overdue_on_the_dashboard(client, signed_in, dsl, leaver):
    signed_in(dsl)
    transfer = _produce(client, leaver)
    transfers.cp_file_sent(
        transfer=transfer, by=dsl, sent_at=timezone.now(), method="secure_email", receiving_school="Elm Secondary"
    )
    dashboard = client.get(reverse("incidents:dashboard")).content.decode()
    assert reverse("incidents:transfers_badge") in dashboard
    badge = client.get(reverse("incidents:transfers_badge")).content.decode()
    assert "overdue" not in badge
    # Five school days later, still unconfirmed.
    CPFileTransfer.objects.filter(pk=transfer.pk).update(confirm_by=timezone.localdate() - datetime.timedelta(days=1))
    badge = client.get(reverse("incidents:transfers_badge")).content.decode()
    assert "1 overdue" in badge
    listing = client.get(reverse("incidents:transfers")).content.decode()
    assert "Sam Leaver" in listing and "overdue" in listing


def test_the_head_cannot_produce_or_open_cp_files(client, signed_in, head, dsl, leaver):
    signed_in(head)
    assert client.post(reverse("incidents:cp_file_produce", args=[leaver.pk])).status_code == 403
    assert client.get(reverse("incidents:transfers")).status_code == 403
    assert not CPFileTransfer.objects.exists()

"""The disclosure PDF is built from the pack with the redactions applied to the text itself: the withheld words
are not in the file (its text, extracted, holds only "[redacted: <ground>]"), the PDF is tagged, kept through the
storage with its SHA-256, and recording the day it was sent closes the request."""

import hashlib
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from safeguarding_portal.audit.models import AuditEvent
from sar import pack
from sar.models import Disclosure

from .sar_helpers import THIRD_PARTY, log_request, mark, pupil_with_records

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_redacted_words_are_not_in_the_pdf_and_what_was_sent_is_kept(
    client, signed_in, dsl, staff, school, django_capture_on_commit_callbacks
):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    note = case.entries.filter(kind="note", text__contains="Quarry").get()
    mark(client, sar, target=f"incidents.entry:{note.pk}", exemption="third_party", reason="Another family")
    mark(
        client,
        sar,
        target=f"incidents.case:{case.pk}/description",
        phrase=THIRD_PARTY,
        exemption="third_party",
        reason="Another child's name",
    )
    held = pack.keys(pack.gather(portal=_portal(client, dsl), request=sar))
    alert_key = next(k for k in held if k.startswith("monitoring.alert:") and k.endswith("/captured"))
    mark(client, sar, target=alert_key, exemption="serious_harm", reason="Would distress the pupil")

    # The outbox runs the build task after commit (in-process here, as in the embedded mode).
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("sar:build", args=[sar.pk])).status_code == 302
    disclosure = Disclosure.objects.get(request=sar)
    assert disclosure.is_ready
    stored = disclosure.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == disclosure.sha256
    text = _flat(_text(stored))
    for withheld in ("Fairweather", "Morgan", "Quarry Lane", "block someone"):
        assert withheld not in text
    assert "[redacted: third-party information]" in text and "[redacted: serious harm]" in text
    assert "Riley is happier now" in text  # what was not marked is disclosed
    assert disclosure.redactions == 3

    download = client.get(reverse("sar:disclosure_pdf", args=[sar.pk, disclosure.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content) == stored

    sent = client.post(
        reverse("sar:sent", args=[sar.pk]),
        {
            "disclosure": disclosure.pk,
            "sent_on": disclosure.built_at.date().isoformat(),
            "sent_how": "Secure email to the address on file",
        },
    )
    assert sent.status_code == 302
    disclosure.refresh_from_db()
    sar.refresh_from_db()
    assert disclosure.sent_on is not None and disclosure.sent_by == dsl and sar.closed_at is not None
    assert AuditEvent.objects.filter(
        action="sar.disclosure_sent", object_id=str(sar.pk), detail__sha256=disclosure.sha256
    ).exists()
    # Closed: nothing more is marked or built.
    mark(client, sar, target=f"incidents.entry:{note.pk}", exemption="crime", reason="late")
    assert client.post(reverse("sar:build", args=[sar.pk])).status_code == 302
    assert Disclosure.objects.filter(request=sar).count() == 1


def test_the_disclosure_pdf_is_tagged_and_names_its_language(
    client, signed_in, dsl, staff, school, django_capture_on_commit_callbacks
):
    pupil, _ = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sar:build", args=[sar.pk]))
    reader = PdfReader(io.BytesIO(Disclosure.objects.get().pdf.read()))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root and str(root["/Lang"]).startswith("en")


def _portal(client, user):
    from django.test import RequestFactory

    from safeguarding_portal.accounts.context import PortalContext

    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    return PortalContext(request)

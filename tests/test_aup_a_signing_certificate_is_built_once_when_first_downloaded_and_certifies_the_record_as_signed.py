"""A signing certificate is built when it is first needed (the first download), never while signing or by the
receipt email, and never twice: later downloads serve the stored PDF, whose SHA-256 the verify page checks.
Whenever it is built, it certifies the record as signed: a build a year later, after the parent has viewed
their page and withdrawn a consent, is the same PDF byte for byte."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aup import certificate as certificate_module
from aup import services
from aup.models import Certificate
from aup.tasks import issue_certificates

from . import clock
from . import factories_aup as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = certificate_module.render_certificate

    def counting(signature):
        calls.append(signature.pk)
        return real(signature)

    monkeypatch.setattr(certificate_module, "render_certificate", counting)
    return calls


def _signed(school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    return invitation, signature


def _download(client, invitation, signature) -> bytes:
    url = reverse("aup:signed_certificate", args=[services.manage_token(invitation), signature.verification_code])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_signing_and_the_receipt_email_build_no_certificate(school, renders, django_capture_on_commit_callbacks):
    _, signature = _signed(school)
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_certificates(signature_ids=[signature.pk], email="parent@home.example") == 1
        assert issue_certificates(signature_ids=[signature.pk], email="parent@home.example") == 0  # one email
    assert renders == []
    [receipt] = [m for m in mail.outbox if m.to == ["parent@home.example"]]
    assert services.format_code(signature.verification_code) in receipt.body and receipt.attachments == []
    row = Certificate.objects.get(signature=signature)
    assert row.emailed_at is not None and not row.built and not row.pdf


def test_the_first_download_builds_it_once_and_the_verify_page_knows_its_hash(client, school, renders):
    invitation, signature = _signed(school)
    issue_certificates(signature_ids=[signature.pk], email="parent@home.example")
    first, second = _download(client, invitation, signature), _download(client, invitation, signature)
    assert renders == [signature.pk]  # one build for both downloads
    stored = Certificate.objects.get(signature=signature)
    assert first == second and hashlib.sha256(first).hexdigest() == stored.sha256
    assert stored.emailed_at is not None  # the receipt's row is the one that was built
    checked = client.post(reverse("aup:verify"), {"pdf": SimpleUploadedFile("c.pdf", first, "application/pdf")})
    assert b"matches our records" in checked.content


def test_a_builder_that_finds_the_certificate_built_meanwhile_keeps_the_stored_one(school, monkeypatch):
    """The database's guard: the PDF is written only into a row without one, so a build that lost a race (on a
    database without row locks) throws its PDF away and the stored hash never changes."""
    _, signature = _signed(school)
    real = certificate_module.render_certificate
    winner = {}

    def racing(s):
        body = real(s)
        # Another builder finishes first, while this one is rendering.
        monkeypatch.setattr(certificate_module, "render_certificate", real)
        winner["certificate"] = certificate_module.certificate_for(s)
        return body + b"\n% a second build"

    monkeypatch.setattr(certificate_module, "render_certificate", racing)
    result = certificate_module.certificate_for(signature)
    stored = Certificate.objects.get(signature=signature)
    assert result.sha256 == stored.sha256 == winner["certificate"].sha256
    with stored.pdf.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == stored.sha256


@clock.frozen("2026-10-05T19:30")
def test_a_build_a_year_later_certifies_the_same_record(client, school, time_machine):
    invitation, signature = _signed(school)
    at_signing = certificate_module.render_certificate(signature)
    # A year on: the parent views their page, withdraws a consent, and the child has moved up a year.
    time_machine.move_to(datetime.datetime(2027, 10, 4, 9, 0, tzinfo=clock.LONDON))
    assert client.get(reverse("aup:signed", args=[services.manage_token(invitation)])).status_code == 200
    key = signature.version.consent_items[0]["key"]
    assert services.change_consent(signature=signature, key=key, given=False, actor="Hannah Morgan")
    signature.pupil.year_group = "6"
    signature.pupil.save()
    later = _download(client, invitation, signature)
    assert hashlib.sha256(later).hexdigest() == hashlib.sha256(at_signing).hexdigest()

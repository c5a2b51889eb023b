"""The certificate PDF: version text and hash, consents, name, signature, time, IP, browser, trail, code."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from aup import services
from aup.certificate import certificate_for
from aup.models import Certificate

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_certificate_says_everything_a_court_would_ask(client, school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    response = client.get(
        reverse("aup:signed_certificate", args=[services.manage_token(invitation), signature.verification_code])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    stored = Certificate.objects.get(signature=signature)
    assert stored.pdf.name.startswith(f"aup/{school.pk}/certificates/")
    assert certificate_for(signature).pk == stored.pk  # made once, then served from storage
    text = "".join(_text(body).split())  # the PDF's text, without the line breaks WeasyPrint adds
    for expected in (
        "Hannah Morgan",
        "Oliver Morgan",
        "203.0.113.9",
        "pytest browser",
        services.format_code(signature.verification_code),
        signature.version.sha256[:32],
        "Photos on the school website",
        "Signed",
    ):
        assert expected.replace(" ", "") in text, expected

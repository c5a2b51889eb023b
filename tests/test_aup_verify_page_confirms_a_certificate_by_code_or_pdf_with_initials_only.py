"""Anyone can check a certificate: by its code or the PDF; a match shows initials only, never the child."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aup import services
from aup.certificate import certificate_for

from . import factories_aup as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    return f.sign_invitation(invitation)[0]


def test_a_code_matches_with_initials_and_names_no_child(client, signature):
    code = services.format_code(signature.verification_code).lower()  # typed loosely, with dashes
    response = client.post(reverse("aup:verify"), {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This certificate matches our records" in html
    assert "H. M." in html and signature.version.sha256 in html
    assert "Hannah" not in html and "Oliver" not in html and "Morgan" not in html
    # The link printed on the certificate works too.
    assert b"matches our records" in client.get(reverse("aup:verify") + f"?code={signature.verification_code}").content


def test_an_unknown_code_does_not_match(client, signature):
    response = client.post(reverse("aup:verify"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 200
    assert b"No match" in response.content and b"matches our records" not in response.content


def test_the_pdf_itself_matches_and_a_changed_pdf_does_not(client, signature):
    certificate = certificate_for(signature)
    with certificate.pdf.open("rb") as fh:
        body = fh.read()
    assert body.startswith(b"%PDF")
    ok = client.post(reverse("aup:verify"), {"pdf": SimpleUploadedFile("c.pdf", body, "application/pdf")})
    assert b"matches our records" in ok.content and b"H. M." in ok.content
    changed = body.replace(b"%PDF-1.7", b"%PDF-1.6", 1) if b"%PDF-1.7" in body[:10] else body + b"\n% edited"
    bad = client.post(reverse("aup:verify"), {"pdf": SimpleUploadedFile("c.pdf", changed, "application/pdf")})
    assert b"No match" in bad.content


def test_nothing_given_asks_for_a_code(client, db):
    response = client.post(reverse("aup:verify"), {})
    assert response.status_code == 200 and b"Type the code printed on the certificate" in response.content

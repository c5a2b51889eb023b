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


def test_the_certificate_says_everything_a_court_would_ask(client, school, settings):
    settings.SITE_URL = "https://portal.oakfield.example"
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
        # In full on every page, for whoever holds a printed copy.
        "check it at https://portal.oakfield.example/agreements/verify/",
    ):
        assert expected.replace(" ", "") in text, expected


def test_the_trail_shows_the_reminders_sent_to_this_parent_and_not_to_others(school):
    import datetime

    from django.utils import timezone

    from aup.certificate import reminded_events
    from aup.models import Invitation
    from aup.reminders import chase_unsigned

    fam = f.family(school, children=1)
    neighbour = f.family(school, children=1, email="neighbour@home.example")
    camp = f.campaign(school, notify=False)
    Invitation.objects.filter(campaign=camp).update(sent_at=timezone.now() - datetime.timedelta(days=7))
    hannahs = f.invitation_of(camp, fam.guardian)
    f.sign_invitation(f.invitation_of(camp, neighbour.guardian))
    chase_unsigned(today=timezone.localdate())
    assert len(reminded_events(campaign_id=camp.pk, invitation_id=hannahs.pk)) == 1
    neighbours = f.invitation_of(camp, neighbour.guardian)
    assert reminded_events(campaign_id=camp.pk, invitation_id=neighbours.pk) == []
    (signature,) = f.sign_invitation(hannahs)
    text = "".join(_text(certificate_for(signature).pdf.read()).split())
    assert "Remindersent" in text

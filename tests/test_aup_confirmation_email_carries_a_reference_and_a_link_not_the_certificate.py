"""The parent's confirmation email carries only a reference and a link, like every email the portal sends: the
certificate (with the child's name, the signer's IP and the consents) is downloaded from the parent's own link,
never attached."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from aup import services
from aup.models import Certificate, Signature

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_the_email_links_to_the_certificates_and_attaches_nothing(client, school, django_capture_on_commit_callbacks):
    fam = f.family(school)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, f.sign_form(invitation), REMOTE_ADDR="198.51.100.23")

    [email] = [m for m in mail.outbox if m.subject == "Your signed acceptable use agreement"]
    assert email.attachments == []
    assert not getattr(email, "alternatives", [])
    body = email.body
    for child in fam.children:
        assert child.legal_forename not in body
    assert "198.51.100.23" not in body
    assert services.manage_url(invitation) in body
    signatures = Signature.objects.filter(request__invitation=invitation)
    for s in signatures:
        assert services.format_code(s.verification_code) in body  # the reference
    # The certificates are made, and are what the link serves.
    assert Certificate.objects.filter(signature__in=signatures, emailed_at__isnull=False).count() == 2
    page = client.get(services.manage_url(invitation).removeprefix(settings.SITE_URL))
    assert page.status_code == 200

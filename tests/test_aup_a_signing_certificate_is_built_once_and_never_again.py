"""A signing certificate is built once, by the outbox's task after the signature commits or by the first
download, and never again: later downloads and a second run of the task serve the stored PDF, whose SHA-256
the verify page checks."""

import hashlib

import pytest
from django.urls import reverse

from aup import certificate as certificate_module
from aup import services
from aup.models import Certificate
from aup.tasks import issue_certificates

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


def test_the_task_builds_it_and_downloads_and_a_second_task_do_not_rebuild(client, school, renders):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    assert renders == []  # signing itself leaves the certificate to the task
    issue_certificates(signature_ids=[signature.pk], email="parent@home.example")
    assert renders == [signature.pk]
    url = reverse("aup:signed_certificate", args=[services.manage_token(invitation), signature.verification_code])
    first, second = client.get(url), client.get(url)
    issue_certificates(signature_ids=[signature.pk], email="parent@home.example")
    assert renders == [signature.pk]  # still one build
    stored = Certificate.objects.get(signature=signature)
    assert first.status_code == second.status_code == 200
    body = b"".join(first.streaming_content) if first.streaming else first.content
    assert hashlib.sha256(body).hexdigest() == stored.sha256  # what the verify page checks a PDF against


def test_a_download_before_the_task_builds_it_once_for_both(client, school, renders):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    (signature,) = f.sign_invitation(invitation)
    url = reverse("aup:signed_certificate", args=[services.manage_token(invitation), signature.verification_code])
    assert client.get(url).status_code == 200
    issue_certificates(signature_ids=[signature.pk], email="parent@home.example")
    assert renders == [signature.pk]
    assert Certificate.objects.filter(signature=signature).count() == 1

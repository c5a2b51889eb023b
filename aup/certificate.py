"""The signing certificate: a PDF of what was signed, by whom, when and from where, with a verification code.

Rendered in a Celery task after the signature commits (WeasyPrint takes a second; a parent's request must
not wait for it), stored through the storage API, and made again on demand if someone asks first.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.schools import languages

from .models import AgreementTranslation, Certificate, EventKind, Signature, SignatureEvent
from .services import format_code


def render_certificate(signature: Signature) -> bytes:
    version = signature.version
    events = list(SignatureEvent.objects.filter(signature=signature).order_by("at", "pk")) + list(
        SignatureEvent.objects.filter(request_id=signature.request_id, signature__isnull=True).order_by("at", "pk")
        if signature.request_id
        else []
    )
    if signature.request_id and signature.request.invitation_id:
        invitation_id = signature.request.invitation_id
        events += list(SignatureEvent.objects.filter(invitation_id=invitation_id, request__isnull=True))
        events += reminded_events(campaign_id=signature.request.campaign_id, invitation_id=invitation_id)
    events.sort(key=lambda e: (e.at, e.pk))

    labels = {item["key"]: item["label"] for item in version.consent_items}
    # A translation shown to the signer is printed with its hash, before the English original it translates.
    translation_shown = None
    if signature.text_language and signature.text_sha256 != version.sha256:
        translation_shown = AgreementTranslation.objects.filter(
            version=version, language=signature.text_language, sha256=signature.text_sha256
        ).first()
    return render_pdf(
        template="aup/pdf/certificate.html",
        context={
            "signature": signature,
            "version": version,
            "agreement": version.agreement,
            "school": version.agreement.school,
            "consents": [(labels.get(k, k), v) for k, v in signature.consents.items()],
            "events": events,
            "translation_shown": translation_shown,
            "text_language": languages.ENGLISH_NAMES.get(
                signature.text_language or languages.ENGLISH, signature.text_language
            ),
            "text_language_code": signature.text_language or languages.ENGLISH,
            "text_sha256": signature.text_sha256 or version.sha256,
            "code": format_code(signature.verification_code),
            "generated_at": timezone.localtime(),
            # In full: a printed certificate is checked by someone typing the address, not clicking it.
            "verify_url": settings.SITE_URL + reverse("aup:verify"),
        },
    ).content


def reminded_events(*, campaign_id: int, invitation_id: int) -> list[SignatureEvent]:
    """The sweep's "reminded" events that name this invitation: the sweep records one per campaign and day,
    listing the invitations it chased (a handful per campaign, so they are filtered here)."""
    rows = SignatureEvent.objects.filter(
        campaign_id=campaign_id, kind=EventKind.REMINDED, invitation__isnull=True, request__isnull=True
    )
    return [e for e in rows if invitation_id in (e.data or {}).get("invitations", ())]


def certificate_for(signature: Signature) -> Certificate:
    """The signature's certificate, built the first time it is needed (the outbox's task after the signature
    commits, or a download that comes first) and never again: its SHA-256 is what the verify page checks a PDF
    against. Builders of one signature queue on its row, so the second finds the first's certificate rather
    than rendering (about 90 ms of CPU) a PDF it would throw away."""
    existing = Certificate.objects.filter(signature=signature).first()
    if existing:
        return existing
    with transaction.atomic():
        Signature.objects.select_for_update().filter(pk=signature.pk).values_list("pk", flat=True).first()
        existing = Certificate.objects.filter(signature=signature).first()
        if existing:  # built by whoever held the row before us
            return existing
        body = render_certificate(signature)
        certificate = Certificate(signature=signature, sha256=hashlib.sha256(body).hexdigest())
        certificate.pdf.save(f"{signature.verification_code}.pdf", ContentFile(body), save=False)
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:  # on a database without row locks (SQLite's whole-file lock serialises anyway)
            certificate.pdf.delete(save=False)
            return Certificate.objects.get(signature=signature)
    return certificate

"""The signing certificate: a PDF of what was signed, by whom, when and from where, with a verification code.

Built when it is first needed (the first download by the parent, the signer or the school), never while
signing: a WeasyPrint PDF costs well over 100 ms of CPU, several times a parent's whole signing, and most are
never downloaded. The receipt email carries the verification codes (from the signature) and the parent's
link, not the PDF. Built once and stored: its SHA-256 is what the verify page checks an uploaded PDF against.

What it certifies is fixed at signing, whenever it is built: the chained signature record, the version's
text, and the trail up to the moment of signing (later views and consent changes are on the parent's page
and in the register, not here), with no "made at" time, so a build next year has the same content.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.schools import languages

from .models import AgreementTranslation, Certificate, EventKind, Signature, SignatureEvent
from .services import format_code


def render_certificate(signature: Signature) -> bytes:
    version = signature.version
    # The trail as it stood when the signature was made: the events of the signing itself and those before it.
    until = signature.signed_at
    events = list(SignatureEvent.objects.filter(signature=signature, at__lte=until).order_by("at", "pk")) + list(
        SignatureEvent.objects.filter(request_id=signature.request_id, signature__isnull=True, at__lte=until)
        if signature.request_id
        else []
    )
    if signature.request_id and signature.request.invitation_id:
        invitation_id = signature.request.invitation_id
        events += list(SignatureEvent.objects.filter(invitation_id=invitation_id, request__isnull=True, at__lte=until))
        events += [
            e
            for e in reminded_events(campaign_id=signature.request.campaign_id, invitation_id=invitation_id)
            if e.at <= until
        ]
    events.sort(key=lambda e: (e.at, e.pk))

    labels = {item["key"]: item["label"] for item in version.consent_items}
    order = {item["key"]: i for i, item in enumerate(version.consent_items)}
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
            # In the version's order, not the stored dict's: PostgreSQL's jsonb keeps its keys in its own order, so a
            # certificate built later from the database must not list them otherwise than one built at signing.
            "consents": [
                (labels.get(k, k), signature.consents[k])
                for k in sorted(signature.consents, key=lambda k: (order.get(k, len(order)), k))
            ],
            "events": events,
            "translation_shown": translation_shown,
            "text_language": languages.ENGLISH_NAMES.get(
                signature.text_language or languages.ENGLISH, signature.text_language
            ),
            "text_language_code": signature.text_language or languages.ENGLISH,
            "text_sha256": signature.text_sha256 or version.sha256,
            "code": format_code(signature.verification_code),
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
    """The signature's certificate, built the first time it is needed and never again: its SHA-256 is what the
    verify page checks a PDF against.

    The database decides who builds: the signature's one certificate row (unique per signature; the receipt
    task may have made it already, empty, to record the email) is locked, so a second builder of the same
    signature waits for the first and finds its PDF rather than rendering one it would throw away; and the
    PDF is written only into a row that has none (a conditional UPDATE), so even without row locks (SQLite) a
    certificate's hash, once stored, never changes."""
    existing = Certificate.objects.filter(signature=signature).exclude(sha256="").first()
    if existing:
        return existing
    with transaction.atomic():
        Certificate.objects.bulk_create([Certificate(signature=signature)], ignore_conflicts=True)
        certificate = Certificate.objects.select_for_update().get(signature=signature)
        if certificate.sha256:  # built by whoever held the row before us
            return certificate
        body = render_certificate(signature)
        sha256 = hashlib.sha256(body).hexdigest()
        certificate.pdf.save(f"{signature.verification_code}.pdf", ContentFile(body), save=False)
        if not Certificate.objects.filter(pk=certificate.pk, sha256="").update(sha256=sha256, pdf=certificate.pdf.name):
            certificate.pdf.delete(save=False)
            return Certificate.objects.get(pk=certificate.pk)
        certificate.sha256 = sha256
    return certificate

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from safeguarding_portal.outbox.email import Kind, send_email

from . import services
from .certificate import certificate_for
from .models import Certificate, Signature
from .services import format_code


@shared_task(name="aup.send_invitations", ignore_result=True)
def send_invitations(*, campaign_id: int) -> int:
    return services.send_invitations(campaign_id=campaign_id)


@shared_task(name="aup.send_staff_notices", ignore_result=True)
def send_staff_notices(*, campaign_id: int) -> int:
    return services.send_staff_notices(campaign_id=campaign_id)


@shared_task(name="aup.issue_certificates", ignore_result=True)
def issue_certificates(*, signature_ids: list[int], email: str, manage_url: str = "") -> int:
    """Make each certificate and email its reference with the parent's link to it. The email names no child
    and attaches nothing: a certificate holds the child's name, the signer's IP and the consents, so it is
    downloaded from the parent's own link, never carried by email."""
    signatures = list(Signature.objects.filter(pk__in=signature_ids).select_related("version__agreement__school"))
    if not signatures:
        return 0
    certificates = [certificate_for(s) for s in signatures]
    pending = [c for c in certificates if c.emailed_at is None]
    if not pending or not email:
        return 0
    school = signatures[0].version.agreement.school
    codes = "\n".join(f"  {format_code(c.signature.verification_code)}" for c in pending)
    body = (
        f"Thank you for signing {school.name}'s {signatures[0].version.agreement.title.lower()}.\n\n"
        f"Your signed certificates (one for each signature) have these verification codes:\n{codes}\n\n"
        "Anyone can check a certificate at "
        f"{settings.SITE_URL}/agreements/verify/ with its code.\n"
    )
    if manage_url:
        body += (
            "\nTo download your certificates, see what you signed, or withdraw or give any consent at any time, "
            f"use this link:\n{manage_url}\n"
        )
    # A reference and a link only: the certificate names the child, so it is downloaded, never attached.
    send_email(to=[email], subject="Your signed acceptable use agreement", body=body, kind=Kind.AGREEMENT,
               school_id=school.pk)
    Certificate.objects.filter(pk__in=[c.pk for c in pending]).update(emailed_at=timezone.now())
    return len(pending)

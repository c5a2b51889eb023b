from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from safeguarding_portal.outbox.email import Kind, send_email


@shared_task(name="aup.send_invitations", ignore_result=True)
def send_invitations(*, campaign_id: int) -> int:
    from .services import send_invitations as send

    return send(campaign_id=campaign_id)


@shared_task(name="aup.send_staff_notices", ignore_result=True)
def send_staff_notices(*, campaign_id: int) -> int:
    from .services import send_staff_notices as send

    return send(campaign_id=campaign_id)


@shared_task(name="aup.issue_certificates", ignore_result=True)
def issue_certificates(*, signature_ids: list[int], email: str, manage_url: str = "") -> int:
    """Make each certificate and email them together; the email names no child (the PDFs do)."""
    from .certificate import certificate_for
    from .models import Certificate, Signature

    signatures = list(Signature.objects.filter(pk__in=signature_ids).select_related("version__agreement__school"))
    if not signatures:
        return 0
    certificates = [certificate_for(s) for s in signatures]
    pending = [c for c in certificates if c.emailed_at is None]
    if not pending or not email:
        return 0
    school = signatures[0].version.agreement.school
    body = (
        f"Thank you for signing {school.name}'s {signatures[0].version.agreement.title.lower()}.\n\n"
        "Your signed certificate is attached (one for each signature). Anyone can check a certificate at "
        f"{settings.SITE_URL}/agreements/verify/ with the code printed on it.\n"
    )
    if manage_url:
        body += (
            f"\nTo see what you signed, or to withdraw or give any consent at any time, use this link:\n{manage_url}\n"
        )
    # The certificates are read from storage at each attempt, so a retry the next morning attaches the same files.
    send_email(
        to=[email], subject="Your signed acceptable use agreement", body=body, kind=Kind.AGREEMENT,
        school_id=school.pk,
        attachments=[{"name": f"agreement-{c.signature.verification_code}.pdf", "path": c.pdf.name,
                      "content_type": "application/pdf"} for c in pending],
    )
    Certificate.objects.filter(pk__in=[c.pk for c in pending]).update(emailed_at=timezone.now())
    return len(pending)

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from safeguarding_portal.outbox.email import Kind, send_email
from safeguarding_portal.schools import languages

from . import services
from .models import Certificate, Signature
from .services import format_code, shown_text


@shared_task(name="aup.send_invitations", ignore_result=True)
def send_invitations(*, campaign_id: int) -> int:
    return services.send_invitations(campaign_id=campaign_id)


@shared_task(name="aup.send_staff_notices", ignore_result=True)
def send_staff_notices(*, campaign_id: int) -> int:
    return services.send_staff_notices(campaign_id=campaign_id)


@shared_task(name="aup.issue_certificates", ignore_result=True)
def issue_certificates(*, signature_ids: list[int], email: str, manage_url: str = "", language: str = "") -> int:
    """Email the signer the verification code of each signature with the link to their certificates (the name
    is older than the change: the PDFs are no longer built here, only when first downloaded, so a signing
    costs no WeasyPrint layout unless someone asks for its certificate). The email names no child and
    attaches nothing: a certificate holds the child's name, the signer's IP and the consents, so it is
    downloaded from the parent's own link, never carried by email. The email is in ``language``, the one the
    parent signed in (English when empty: staff and visitors).

    Each signature's certificate row (empty until built) records the email, so a second run of the task sends
    nothing more."""
    signatures = list(Signature.objects.filter(pk__in=signature_ids).select_related("version__agreement__school"))
    if not signatures:
        return 0
    Certificate.objects.bulk_create([Certificate(signature=s) for s in signatures], ignore_conflicts=True)
    pending = list(
        Certificate.objects.filter(signature__in=signatures, emailed_at__isnull=True)
        .select_related("signature")
        .order_by("signature_id")
    )
    if not pending or not email:
        return 0
    school = signatures[0].version.agreement.school
    codes = "\n".join(f"  {format_code(c.signature.verification_code)}" for c in pending)
    with translation.override(language or languages.ENGLISH):
        paragraphs = [
            gettext("Thank you for signing %(school)s's agreement: %(agreement)s.")
            % {
                "school": school.name,
                "agreement": shown_text(version=signatures[0].version, language=language or languages.ENGLISH).title,
            },
            gettext("Your signed certificates (one for each signature) have these verification codes:") + f"\n{codes}",
            gettext("Anyone can check a certificate at %(url)s with its code.")
            % {"url": f"{settings.SITE_URL}/agreements/verify/"},
        ]
        if manage_url:
            paragraphs.append(
                gettext(
                    "To download your certificates, see what you signed, or withdraw or give any consent at any "
                    "time, use this link:"
                )
                + f"\n{manage_url}"
            )
        subject = gettext("Your signed acceptable use agreement")
    # A reference and a link only: the certificate names the child, so it is downloaded, never attached.
    send_email(
        to=[email], subject=subject, body="\n\n".join(paragraphs) + "\n", kind=Kind.AGREEMENT, school_id=school.pk
    )
    Certificate.objects.filter(pk__in=[c.pk for c in pending]).update(emailed_at=timezone.now())
    return len(pending)

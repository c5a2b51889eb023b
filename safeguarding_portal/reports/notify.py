"""Telling governors that the termly report is ready: a link only, nothing from the report itself."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.outbox.email import Kind, send_email

from .models import GovernorReport


def governor_emails(*, school) -> list[str]:
    members = Membership.objects.current().filter(school=school, role=Role.GOVERNOR, user__is_active=True)
    return sorted({m.user.email for m in members.select_related("user") if m.user.email})


def notify_governors(*, report: GovernorReport) -> int:
    """One email per governor (addresses are not shared between them), once per report: the stamp is set
    in the caller's transaction, so a retried build never emails twice."""
    updated = GovernorReport.objects.filter(pk=report.pk, governors_notified_at__isnull=True).update(
        governors_notified_at=timezone.now()
    )
    if not updated:
        return 0
    link = f"{settings.SITE_URL}{reverse('reports:detail', args=[report.pk])}"
    subject = f"Termly online safety report ready: {report.school.name}"
    body = (
        "Dear governor,\n\n"
        f"The online safety and safeguarding report to governors for {report.school.name} "
        f"({report.title.split(': ', 1)[-1]}) is ready in the safeguarding portal.\n\n"
        f"Sign in to download it: {link}\n\n"
        "For the board's privacy the report is not attached to this email.\n"
    )
    emails = governor_emails(school=report.school)
    for email in emails:
        send_email(to=[email], subject=subject, body=body, kind=Kind.REPORT, school_id=report.school_id)
    return len(emails)

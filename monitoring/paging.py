"""Who is paged about a critical monitoring alert, and the page itself (email through the outbox).

``recipients_for_critical`` is the one place that decides who: the DSL team for now; the DSL-on-duty rota
(the ``duty`` app) will point it at the person on duty first.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit import chain
from safeguarding_portal.outbox.email import Kind, send_email
from safeguarding_portal.schools.models import School

from .models import EventKind, MonitoringAlert, Page, Severity


def recipients_for_critical(school: School, *, escalate: bool = False) -> list[User]:
    """The DSL and deputies at the school (and, for a page nobody picked up in time, the head as well)."""
    roles = [Role.DSL, Role.DEPUTY_DSL] + ([Role.HEADTEACHER] if escalate else [])
    members = Membership.objects.current().filter(school=school, role__in=roles).select_related("user")
    return sorted({m.user for m in members if m.user.is_active}, key=lambda u: u.email)


def page_critical(*, alert: MonitoringAlert, kind: str = Page.Kind.CRITICAL,
                  at: datetime.datetime | None = None) -> Page | None:
    """Email the team once per kind (a re-run or a second beat process sends nothing). No content: the
    alert's reference, its severity and vendor, and a link."""
    from .services import _event

    at = at or timezone.now()
    resend = kind == Page.Kind.RESEND
    school = alert.school
    recipients = recipients_for_critical(school, escalate=resend)
    try:
        with transaction.atomic():
            page = Page.objects.create(alert=alert, kind=kind, sent_at=at, recipients=[u.email for u in recipients])
    except IntegrityError:
        return None
    link = f"{settings.SITE_URL}{reverse('monitoring:alert', args=[alert.pk])}"
    subject = f"URGENT: critical monitoring alert {alert.reference}"
    body = (f"A monitoring product has raised a critical alert at {school.name}.\n\n"
            f"Reference: {alert.reference}\nVendor: {alert.get_vendor_display()}\n\nOpen it in the portal: {link}\n")
    if resend:
        body += "\nNobody has picked this alert up yet. Please open it now.\n"
    if recipients:
        send_email(to=[u.email for u in recipients], subject=subject, body=body, kind=Kind.ALERT,
                   school_id=school.pk, urgent=True, reference=alert.reference)
    chain.append(_event(alert=alert, kind=EventKind.PAGED, by=None, at=at,
                        text=f"{Page.Kind(kind).label}: {len(recipients)} "
                             f"{'person' if len(recipients) == 1 else 'people'} emailed",
                        data={"kind": kind, "recipients": [u.email for u in recipients]}))
    return page


@transaction.atomic
def resend_sweep(*, now: datetime.datetime | None = None) -> int:
    """Critical alerts nobody picked up within MONITORING_PICKUP_MINUTES are sent again, once, with the head."""
    from .services import pickup_minutes

    now = now or timezone.now()
    due = (MonitoringAlert.objects.filter(severity=Severity.CRITICAL, picked_up_at__isnull=True,
                                          received_at__lte=now - datetime.timedelta(minutes=pickup_minutes()))
           .exclude(pages__kind=Page.Kind.RESEND).select_related("school"))
    return sum(1 for alert in due if page_critical(alert=alert, kind=Page.Kind.RESEND, at=now))

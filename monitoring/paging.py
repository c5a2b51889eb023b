"""Who is paged about a critical monitoring alert, and the page itself (email through the outbox).

``recipients_for_critical`` is the one place that decides who: the DSL on duty first (the ``duty`` app's
escalation chain: the whole team when nobody is on duty), then, for an alert nobody picked up in time, the
whole team and the head. With someone on duty an alert follows the school's chain as an urgent report does:
the rest of the team after the school's set minutes, then everyone and the head; each step once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from duty.services import escalation_chain
from duty.texts import text_people
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit import chain
from safeguarding_portal.outbox.email import Kind, send_email
from safeguarding_portal.schools.models import School

from .models import AlertEvent, EventKind, MonitoringAlert, Page, Severity
from .services import _event, pickup_minutes


def recipients_for_critical(
    school: School, *, escalate: bool = False, at: datetime.datetime | None = None
) -> list[User]:
    """The first people the rota says to tell (the DSL on duty, or the DSL team when nobody is); for a page
    nobody picked up in time, the DSL and deputies and the head."""
    if not escalate:
        first = [u for u in escalation_chain(school, at)[0].people if u.is_active]
        if first:
            return sorted(first, key=lambda u: u.email)
    roles = [Role.DSL, Role.DEPUTY_DSL] + ([Role.HEADTEACHER] if escalate else [])
    members = Membership.objects.current().filter(school=school, role__in=roles).select_related("user")
    return sorted({m.user for m in members if m.user.is_active}, key=lambda u: u.email)


def page_critical(
    *, alert: MonitoringAlert, kind: str = Page.Kind.CRITICAL, at: datetime.datetime | None = None
) -> Page | None:
    """Email the team once per alert and kind (a re-run or a second beat process sends nothing)."""
    pages = page_critical_many(alerts=[alert], kind=kind, at=at)
    return pages[0] if pages else None


def page_critical_many(
    *,
    alerts: list[MonitoringAlert],
    kind: str = Page.Kind.CRITICAL,
    at: datetime.datetime | None = None,
    recipients: list[User] | None = None,
    events: list[AlertEvent] | None = None,
) -> list[Page]:
    """Page the team about critical alerts of one school: one email for the lot (an upload of an export can
    hold hundreds), each alert paged once per kind. No content: references, the product and a link.
    ``recipients``: the chain's step (the rest of the team); otherwise ``recipients_for_critical`` decides.
    ``events``: the caller's events still to be chained (``alert_receive``'s): the "paged" events are added
    to them, to be chained after them in the caller's one append, instead of taking the chain's head here."""
    if not alerts:
        return []
    at = at or timezone.now()
    resend = kind == Page.Kind.RESEND
    school = alerts[0].school
    if recipients is None:
        recipients = recipients_for_critical(school, escalate=resend, at=at)
    recipients = sorted(recipients, key=lambda u: u.email)
    emails = [u.email for u in recipients]
    done = set(Page.objects.filter(alert__in=alerts, kind=kind).values_list("alert_id", flat=True))
    todo = [a for a in alerts if a.pk not in done]
    try:
        with transaction.atomic():
            pages = Page.objects.bulk_create([Page(alert=a, kind=kind, sent_at=at, recipients=emails) for a in todo])
    except IntegrityError:
        # Another process paged some of them at the same moment: take the rest one at a time.
        pages, left = [], []
        for a in todo:
            try:
                with transaction.atomic():
                    pages.append(Page.objects.create(alert=a, kind=kind, sent_at=at, recipients=emails))
                    left.append(a)
            except IntegrityError:
                continue
        todo = left
    if not todo:
        return []
    first = todo[0]
    link = f"{settings.SITE_URL}{reverse('monitoring:alert', args=[first.pk])}"
    if len(todo) == 1:
        subject = f"URGENT: critical monitoring alert {first.reference}"
        body = (
            f"A monitoring product has raised a critical alert at {school.name}.\n\n"
            f"Reference: {first.reference}\nProduct: {first.get_vendor_display()}\n\n"
            f"Open it in the portal: {link}\n"
        )
    else:
        queue = f"{settings.SITE_URL}{reverse('monitoring:queue')}?severity=critical"
        refs = ", ".join(a.reference for a in todo[:20]) + (f" and {len(todo) - 20} more" if len(todo) > 20 else "")
        subject = f"URGENT: {len(todo)} critical monitoring alerts"
        body = (
            f"Monitoring products have raised {len(todo)} critical alerts at {school.name}.\n\n"
            f"References: {refs}\n\nOpen the queue in the portal: {queue}\n"
        )
    if resend:
        body += "\nNobody has picked this up yet. Please open it now.\n"
    elif kind == Page.Kind.TEAM:
        body += "\nThe DSL on duty has not picked this up yet. Please open it now.\n"
    if recipients:
        send_email(
            to=emails,
            subject=subject,
            body=body,
            kind=Kind.ALERT,
            school_id=school.pk,
            urgent=True,
            reference=first.reference if len(todo) == 1 else f"{len(todo)} monitoring alerts",
        )
        # A text as well where the school turned texts on: it says only to sign in (duty.sms).
        text_people(school=school, users=recipients, reference=first.reference)
    text = f"{Page.Kind(kind).label}: {len(recipients)} {'person' if len(recipients) == 1 else 'people'} emailed"
    paged = [
        _event(alert=a, kind=EventKind.PAGED, by=None, at=at, text=text, data={"kind": kind, "recipients": emails})
        for a in todo
    ]
    if events is not None:
        events.extend(paged)
    else:
        chain.append_many(paged)
    return pages


@transaction.atomic
def resend_sweep(*, now: datetime.datetime | None = None) -> int:
    """Critical alerts nobody picked up go further, each step once. With someone on duty when the alert
    arrived: the rest of the DSL team after the school's team minutes, then everyone and the head after its
    head minutes (``duty.services.escalation_chain``). With nobody on duty the whole team was paged at once:
    again, with the head, after MONITORING_PICKUP_MINUTES."""
    now = now or timezone.now()
    # A school's chain may pass an alert on sooner than MONITORING_PICKUP_MINUTES, never within a minute.
    due = (
        MonitoringAlert.objects.filter(
            severity=Severity.CRITICAL, picked_up_at__isnull=True, received_at__lte=now - datetime.timedelta(minutes=1)
        )
        .exclude(pages__kind=Page.Kind.RESEND)
        .select_related("school")
        .prefetch_related("pages")
        .order_by("received_at", "pk")
    )
    batches: dict[tuple, list[MonitoringAlert]] = {}
    people: dict[tuple, list[User]] = {}
    for alert in due:
        waited = now - alert.received_at
        stages = {stage.key: stage for stage in escalation_chain(alert.school, alert.received_at)}
        if "on_duty" not in stages:
            if waited >= datetime.timedelta(minutes=pickup_minutes()):
                batches.setdefault((alert.school_id, Page.Kind.RESEND, ()), []).append(alert)
            continue
        team, head = stages["team"], stages["head"]
        paged = {page.kind for page in alert.pages.all()}
        if waited >= head.after:
            batches.setdefault((alert.school_id, Page.Kind.RESEND, ()), []).append(alert)
        elif waited >= team.after and team.people and Page.Kind.TEAM not in paged:
            key = (alert.school_id, Page.Kind.TEAM, tuple(sorted(u.pk for u in team.people)))
            batches.setdefault(key, []).append(alert)
            people[key] = [u for u in team.people if u.is_active]
    return sum(
        len(page_critical_many(alerts=alerts, kind=key[1], at=now, recipients=people.get(key)))
        for key, alerts in batches.items()
    )

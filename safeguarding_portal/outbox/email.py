"""Every email the portal sends goes through ``send_email``: one delivery record per email, sent or visibly not.

``send_email`` writes an EmailDelivery (queued) in the caller's transaction and asks the worker to send it
(through the task outbox, so nothing is sent for a change that rolled back). ``deliver`` makes one attempt:

* sent: the record says when;
* the mail server is down, slow or answers "try later" (connection errors, timeouts, 4xx): the record says
  "not sent yet" with the time of the next attempt, backing off exponentially (30 s, 1, 2, 4 ... minutes, at
  most URGENT_MAX_WAIT apart for urgent alerts and MAX_WAIT for the rest) for GIVE_UP_AFTER (24 hours);
* the server refuses it for good (5xx, every recipient refused) or it is still unsent after GIVE_UP_AFTER:
  "failed", shown on the delivery page until someone deals with it.

An urgent alert that did not go at the first attempt is shown at once to the headteacher and the DSL team as a
banner on every page (context processor below), and the head is emailed about it (once), so somebody phones.

Retries are driven by the database, not by the broker: ``deliver_due`` runs every minute inside the outbox
drain (beat), and picks up anything due, including an attempt that a killed worker left "sending".
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Count
from django.dispatch import Signal
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role

from .models import EmailDelivery
from .services import enqueue

log = logging.getLogger(__name__)

State = EmailDelivery.State
Kind = EmailDelivery.Kind

FIRST_WAIT = datetime.timedelta(seconds=30)
MAX_WAIT = datetime.timedelta(minutes=30)
URGENT_MAX_WAIT = datetime.timedelta(minutes=2)
GIVE_UP_AFTER = datetime.timedelta(hours=24)
# An attempt still "sending" after this long was cut off (the worker died): it is tried again.
SENDING_STUCK_AFTER = datetime.timedelta(minutes=10)
BANNER_DAYS = 7

# Sent with the delivery after each attempt (reminders keep their digest's status in step).
delivery_attempted = Signal()


def send_email(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    kind: str = Kind.OTHER,
    school_id: int | None = None,
    urgent: bool = False,
    reference: str = "",
    attachments: Iterable[dict[str, str]] = (),
) -> EmailDelivery:
    """Record an email and have the worker send it after the caller's transaction commits."""
    delivery = EmailDelivery.objects.create(
        to=list(to),
        subject=subject[:300],
        body=body,
        kind=kind,
        school_id=school_id,
        urgent=urgent,
        reference=reference[:100],
        attachments=list(attachments),
        next_attempt_at=timezone.now(),
    )
    enqueue("outbox.deliver_email", delivery_id=delivery.pk)
    return delivery


def send_emails(deliveries: list[EmailDelivery]) -> list[EmailDelivery]:
    """Many at once (a campaign's invitations): one insert and one task for all of them."""
    now = timezone.now()
    for d in deliveries:
        d.next_attempt_at = now
    created = EmailDelivery.objects.bulk_create(deliveries, batch_size=1000)
    if created:
        enqueue("outbox.deliver_emails", delivery_ids=[d.pk for d in created])
    return created


def wait_before(attempt: int, *, urgent: bool) -> datetime.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1, 2, ...)."""
    cap = URGENT_MAX_WAIT if urgent else MAX_WAIT
    wait: datetime.timedelta = FIRST_WAIT * (2 ** min(max(attempt - 1, 0), 16))
    return min(wait, cap)  # 2**16 times 30 s is past any cap


def is_permanent(exc: BaseException) -> bool:
    """Retrying will not help: the server refused the message or every address for good."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _message(delivery: EmailDelivery, connection: BaseEmailBackend | None) -> EmailMessage:
    message = EmailMultiAlternatives(
        delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, delivery.to, connection=connection
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    for item in delivery.attachments:
        with default_storage.open(item["path"], "rb") as fh:
            message.attach(item["name"], fh.read(), item.get("content_type") or "application/octet-stream")
    return message


def _claim(delivery_id: Any, *, now: datetime.datetime, force: bool = False) -> EmailDelivery | None:
    """Mark one due delivery "sending" (one worker at a time). None when it is not ours to send now."""
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, state__in=[State.QUEUED, State.RETRYING])
            .first()
        )
        if delivery is None:
            return None
        if not force and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # a redelivered task, early: the retry is already scheduled
        delivery.state = State.SENDING
        delivery.attempts += 1
        delivery.sending_since = now
        delivery.save(update_fields=["state", "attempts", "sending_since"])
    return delivery


def deliver(delivery_ids: Iterable[Any], *, force: bool = False) -> dict[str, int]:
    """One attempt for each delivery that is due, over one SMTP connection. Returns counts by outcome.

    Safe to call twice (a redelivered task, two drains): a delivery is claimed by one caller, and one that is
    sent, failed or not yet due is left alone. After the mail server fails to answer, the rest are not tried
    this round (each would wait for the same timeout): they are rescheduled like the one that failed."""
    outcome = {"sent": 0, "retrying": 0, "failed": 0}
    connection = None
    server_down: BaseException | None = None
    try:
        for delivery_id in delivery_ids:
            now = timezone.now()
            delivery = _claim(delivery_id, now=now, force=force)
            if delivery is None:
                continue
            if server_down is not None:
                _not_sent(delivery, server_down, now=now)
                outcome[delivery.state] += 1
                continue
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                _message(delivery, connection).send()
            except Exception as exc:
                if not is_permanent(exc) and not isinstance(exc, smtplib.SMTPRecipientsRefused):
                    server_down = exc
                    _close(connection)
                    connection = None
                _not_sent(delivery, exc, now=timezone.now())
                outcome[delivery.state] += 1
            else:
                _sent(delivery)
                outcome["sent"] += 1
    finally:
        _close(connection)
    return outcome


def _close(connection: BaseEmailBackend | None) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):  # a dead connection has nothing left to close
            connection.close()


def _sent(delivery: EmailDelivery) -> None:
    delivery.state, delivery.sent_at, delivery.next_attempt_at = State.SENT, timezone.now(), None
    delivery.last_error = ""
    delivery.save(update_fields=["state", "sent_at", "next_attempt_at", "last_error"])
    delivery_attempted.send(sender=EmailDelivery, delivery=delivery, error=None)


def _not_sent(delivery: EmailDelivery, exc: BaseException, *, now: datetime.datetime) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    next_at = now + wait_before(delivery.attempts, urgent=delivery.urgent)
    if is_permanent(exc) or next_at > delivery.created_at + GIVE_UP_AFTER:
        delivery.state, delivery.failed_at, delivery.next_attempt_at = State.FAILED, now, None
        log.error("email %s failed for good after %d attempts: %s", delivery.pk, delivery.attempts, error)
    else:
        delivery.state, delivery.next_attempt_at = State.RETRYING, next_at
        log.warning(
            "email %s not sent (attempt %d), next attempt at %s: %s",
            delivery.pk,
            delivery.attempts,
            next_at.isoformat(),
            error,
        )
    delivery.last_error = error
    delivery.save(update_fields=["state", "failed_at", "next_attempt_at", "last_error"])
    delivery_attempted.send(sender=EmailDelivery, delivery=delivery, error=exc)
    if delivery.urgent and delivery.head_told_at is None:
        _tell_head(delivery)


def _tell_head(delivery: EmailDelivery) -> None:
    """An urgent alert did not go: the banner shows it from now on (it reads the delivery); the head is also
    emailed, once. The same mail server may be down, but the head's address may still work, and the notice
    is retried like any email."""
    with transaction.atomic():
        claimed = EmailDelivery.objects.filter(pk=delivery.pk, head_told_at__isnull=True).update(
            head_told_at=timezone.now()
        )
        if not claimed or delivery.school_id is None:
            return
        heads = list(
            Membership.objects.current()
            .filter(school_id=delivery.school_id, role=Role.HEADTEACHER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if not heads:
            return
        about = delivery.reference or delivery.subject
        send_email(
            to=sorted(set(heads)),
            subject=f"URGENT: an alert about {about} has not been delivered",
            body=(
                f"The portal could not deliver an urgent safeguarding alert about {about} "
                f"to {len(delivery.to)} member(s) of the safeguarding team.\n\n"
                "It keeps trying, but please make sure the DSL team knows now, by phone if need be.\n\n"
                f"See what has and has not been delivered: {settings.SITE_URL}/emails/\n"
            ),
            kind=Kind.NOTICE,
            school_id=delivery.school_id,
            reference=delivery.reference,
        )


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """The retry round (every minute, from the outbox drain): what is due, urgent first, oldest first; and any
    attempt a dead worker left "sending" is made due again."""
    now = timezone.now()
    EmailDelivery.objects.filter(state=State.SENDING, sending_since__lt=now - SENDING_STUCK_AFTER).update(
        state=State.RETRYING, next_attempt_at=now, last_error="The attempt was cut off; trying again."
    )
    due = list(
        EmailDelivery.objects.filter(state__in=[State.QUEUED, State.RETRYING], next_attempt_at__lte=now)
        .order_by("-urgent", "next_attempt_at", "created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver(due)


# --- Reads ---------------------------------------------------------------------------------------------------
def deliveries_for(*, school_id: int, show: str = "", limit: int = 200) -> tuple[list[EmailDelivery], dict[str, int]]:
    mine = EmailDelivery.objects.filter(school_id=school_id)
    counts = dict(mine.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    shown = mine.filter(state=show) if show in State.values else mine
    return list(shown.order_by("-created_at")[:limit]), {s: counts.get(s, 0) for s in State.values}


def undelivered_urgent(*, school_id: int) -> list[EmailDelivery]:
    """Urgent alerts of the last week that have not gone: what the banner shows the head and the DSL team."""
    since = timezone.now() - datetime.timedelta(days=BANNER_DAYS)
    return list(
        EmailDelivery.objects.filter(
            school_id=school_id, urgent=True, state__in=[State.RETRYING, State.FAILED], created_at__gte=since
        ).order_by("created_at")[:5]
    )

"""Recording and sending urgent texts (see ``duty/sms.py`` for the adapter and what a text may say)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools.models import School

from . import sms
from .models import DutySettings, MobileNumber, SmsDelivery

log = logging.getLogger(__name__)
State = SmsDelivery.State

FIRST_WAIT = datetime.timedelta(seconds=30)
MAX_WAIT = datetime.timedelta(minutes=2)  # urgent, always: at most two minutes between attempts
GIVE_UP_AFTER = datetime.timedelta(hours=24)


def text_people(*, school: School, users: Iterable[User], reference: str = "") -> list[SmsDelivery]:
    """Record a text to each of ``users`` who gave a mobile, if the school turned texts on; the worker sends
    them after the caller's transaction commits (nothing goes for a change that rolled back)."""
    if not DutySettings.objects.filter(school=school, sms_enabled=True).exists():
        return []
    ids = [u.pk for u in users]
    numbers = MobileNumber.objects.filter(school=school, user_id__in=ids).exclude(number="")
    now = timezone.now()
    deliveries = [
        SmsDelivery.objects.create(
            school=school,
            user_id=m.user_id,
            to=m.number,
            body=sms.SMS_TEXT,
            reference=reference[:100],
            created_at=now,
            next_attempt_at=now,
        )
        for m in numbers
    ]
    for d in deliveries:
        enqueue("duty.deliver_sms", delivery_id=d.pk)
    return deliveries


def _claim(delivery_id: int, *, now: datetime.datetime) -> SmsDelivery | None:
    with transaction.atomic():
        d = (
            SmsDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, state__in=[State.QUEUED, State.RETRYING])
            .first()
        )
        if d is None or (d.next_attempt_at and d.next_attempt_at > now):
            return None
        d.state, d.attempts = State.SENDING, d.attempts + 1
        d.save(update_fields=["state", "attempts"])
    return d


def deliver(delivery_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """One attempt; the outcome's state, or None when the delivery was not ours to send now."""
    now = now or timezone.now()
    d = _claim(delivery_id, now=now)
    if d is None:
        return None
    try:
        d.provider_id = sms.backend().send(to=d.to, body=d.body, reference=f"sms-{d.pk}")[:100]
    except Exception as exc:
        permanent = isinstance(exc, sms.SmsError) and exc.permanent
        wait = min(FIRST_WAIT * (2 ** min(d.attempts - 1, 16)), MAX_WAIT)
        d.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if permanent or now + wait > d.created_at + GIVE_UP_AFTER:
            d.state, d.failed_at, d.next_attempt_at = State.FAILED, now, None
            log.error("sms %s failed for good: %s", d.pk, d.last_error)
        else:
            d.state, d.next_attempt_at = State.RETRYING, now + wait
            log.warning("sms %s not sent (attempt %d): %s", d.pk, d.attempts, d.last_error)
    else:
        d.state, d.sent_at, d.next_attempt_at, d.last_error = State.SENT, timezone.now(), None, ""
    d.save(update_fields=["state", "provider_id", "last_error", "failed_at", "next_attempt_at", "sent_at"])
    return d.state


def deliver_due(*, now: datetime.datetime | None = None) -> int:
    """Every text due another attempt (and one a killed worker left "sending" for ten minutes)."""
    now = now or timezone.now()
    stuck = now - datetime.timedelta(minutes=10)
    SmsDelivery.objects.filter(state=State.SENDING, created_at__lt=stuck, sent_at__isnull=True).update(
        state=State.RETRYING, next_attempt_at=now
    )
    due = SmsDelivery.objects.filter(state__in=[State.QUEUED, State.RETRYING], next_attempt_at__lte=now)
    return sum(1 for pk in due.values_list("pk", flat=True) if deliver(pk, now=now) == State.SENT)


def set_mobile(*, school: School, user: User, number: str) -> MobileNumber | None:
    number = "".join(ch for ch in number if ch.isdigit() or ch == "+")[:20]
    if not number:
        MobileNumber.objects.filter(school=school, user=user).delete()
        return None
    found, _ = MobileNumber.objects.update_or_create(
        school=school, user=user, defaults={"number": number, "updated_at": timezone.now()}
    )
    return found

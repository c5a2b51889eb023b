"""Recording what is due (``remind``) and sending each person one digest a day (``send_digests``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding_portal.outbox.services import enqueue

from . import registry
from .models import Digest, Reminder


def today() -> datetime.date:
    return timezone.localdate()


def remind(
    *,
    recipient_email: str,
    kind: str,
    key: str,
    text: str,
    url: str = "",
    school=None,
    school_id: int | None = None,
    recipient_user=None,
    on: datetime.date | None = None,
) -> bool:
    """Record that ``key`` of ``kind`` is due from this person today. True when newly recorded.

    ``url`` is a path in the portal (``/filtering/requests/4/``) or an absolute link (a parent's signing
    link); the digest makes paths absolute. ``text`` must not name a child. ``school_id`` spares a sweep
    over many schools from loading each school.
    """
    if not recipient_email:
        return False
    try:
        with transaction.atomic():
            Reminder.objects.create(
                recipient_email=recipient_email.strip().lower(),
                recipient_user=recipient_user,
                kind=kind,
                key=key[:128],
                text=text[:300],
                url=url[:500],
                school_id=school.pk if school is not None else school_id,
                on=on or today(),
            )
    except IntegrityError:
        return False
    return True


def run_sweep(kind: str, *, on: datetime.date | None = None) -> int:
    return registry.run(kind, today=on or today())


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) or not url else f"{settings.SITE_URL}{url}"


def _compose(items: list[Reminder]) -> tuple[str, str]:
    count = len(items)
    subject = f"Safeguarding portal: {count} thing{'s' if count != 1 else ''} due from you"
    lines = ["Good morning,", "", "These are due from you in the safeguarding portal:", ""]
    for item in items:
        lines.append(f"- {item.text}")
        if item.url:
            lines.append(f"  {_absolute(item.url)}")
    lines += ["", "You get at most one of these emails a day. Sign in to the portal to see the details."]
    return subject, "\n".join(lines) + "\n"


def send_digests(*, on: datetime.date | None = None) -> int:
    """Turn the day's unsent reminders into one email per person. Safe to run again: a person who already
    has a digest for the day gets nothing more that day (later items wait for tomorrow's)."""
    on = on or today()
    pending = Reminder.objects.filter(on__lte=on, digest__isnull=True).order_by("recipient_email", "kind", "pk")
    by_email: dict[str, list[Reminder]] = {}
    for item in pending:
        by_email.setdefault(item.recipient_email, []).append(item)
    sent = 0
    for email, items in by_email.items():
        with transaction.atomic():
            if Digest.objects.filter(recipient_email=email, on=on).exists():
                continue
            subject, body = _compose(items)
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(recipient_email=email, on=on, subject=subject, body=body)
            except IntegrityError:
                continue  # another process sent this person's digest
            Reminder.objects.filter(pk__in=[i.pk for i in items]).update(digest=digest)
            enqueue("reminders.deliver_digest", digest_id=digest.pk)
            sent += 1
    return sent

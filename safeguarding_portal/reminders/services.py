"""Recording what is due (``remind``) and sending each person one digest a day (``send_digests``)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding_portal.core.bulk import insert_rows
from safeguarding_portal.outbox.email import send_emails
from safeguarding_portal.outbox.models import EmailDelivery
from safeguarding_portal.schools.models import School

from . import parents, registry
from .models import Digest, Reminder

if TYPE_CHECKING:
    from safeguarding_portal.accounts.models import User


def today() -> datetime.date:
    return timezone.localdate()


def remind(
    *,
    recipient_email: str,
    kind: str,
    key: str,
    text: str,
    url: str = "",
    school: School | None = None,
    school_id: int | None = None,
    recipient_user: User | None = None,
    on: datetime.date | None = None,
    language: str = "",
) -> bool:
    """Record that ``key`` of ``kind`` is due from this person today. True when newly recorded.

    ``url`` is a path in the portal (``/filtering/requests/4/``) or an absolute link (a parent's signing
    link); the digest makes paths absolute. ``text`` must not name a child. ``school_id`` spares a sweep
    over many schools from loading each school. ``language``: a parent's, for a reminder worded in it (their
    digest follows it, ``parents.compose``); empty for staff.
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
                language=language,
            )
    except IntegrityError:
        return False
    return True


def remind_many(items: list[dict[str, Any]], *, on: datetime.date | None = None) -> int:
    """``remind`` for many at once (a sweep over 500 schools): the same rules, two queries per thousand
    instead of three per reminder. Each item has ``remind``'s keyword arguments (school as ``school_id``).
    Returns how many were newly recorded."""
    on = on or today()
    rows: dict[tuple[str, str, str], Reminder] = {}
    for item in items:
        email = (item.get("recipient_email") or "").strip().lower()
        if not email:
            continue
        key = (email, item["kind"], item["key"][:128])
        rows.setdefault(
            key,
            Reminder(
                recipient_email=email,
                recipient_user=item.get("recipient_user"),
                kind=item["kind"],
                key=key[2],
                text=item["text"][:300],
                url=item.get("url", "")[:500],
                school_id=item.get("school_id"),
                on=on,
                language=item.get("language", ""),
            ),
        )
    if not rows:
        return 0
    existing: set[tuple[str, str, str]] = set()
    keys = list(rows)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        existing |= set(
            Reminder.objects.filter(
                on=on,
                kind__in={k[1] for k in chunk},
                key__in={k[2] for k in chunk},
                recipient_email__in={k[0] for k in chunk},
            ).values_list("recipient_email", "kind", "key")
        )
    new = [row for key, row in rows.items() if key not in existing]
    # A second beat process may have recorded some since: the unique constraint keeps one, silently.
    insert_rows(Reminder, new, ignore_conflicts=True, page_size=1000)
    return len(new)


def run_sweep(kind: str, *, on: datetime.date | None = None) -> int:
    # One transaction: each ``remind`` is then a savepoint, not a commit (one disk flush for the whole
    # sweep instead of one per reminder), and a sweep that fails part-way records nothing, so the retry
    # starts clean.
    with transaction.atomic():
        return registry.run(kind, today=on or today())


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) or not url else f"{settings.SITE_URL}{url}"


def _compose(items: list[Reminder], *, school_names: dict[int, str] | None = None) -> tuple[str, str, str]:
    """(subject, body, HTML body). A parent's digest (its items carry a language) is worded in their language by
    ``parents.compose``; a member of staff's is the portal's English, text only."""
    language = parents.language_of(items)
    if language:
        school_id = next((item.school_id for item in items if item.school_id), None)
        return parents.compose(
            items,
            language=language,
            school_name=(school_names or {}).get(school_id, "") if school_id else "",
            links=[_absolute(item.url) for item in items],
        )
    count = len(items)
    subject = f"Safeguarding portal: {count} thing{'s' if count != 1 else ''} due from you"
    lines = ["Good morning,", "", "These are due from you in the safeguarding portal:", ""]
    for item in items:
        lines.append(f"- {item.text}")
        if item.url:
            lines.append(f"  {_absolute(item.url)}")
    lines += ["", "You get at most one of these emails a day. Sign in to the portal to see the details."]
    return subject, "\n".join(lines) + "\n", ""


def send_digests(*, on: datetime.date | None = None) -> int:
    """Turn the day's unsent reminders into one email per person. Safe to run again: a person who already
    has a digest for the day gets nothing more that day (later items wait for tomorrow's)."""
    on = on or today()
    pending = Reminder.objects.filter(on__lte=on, digest__isnull=True).order_by("recipient_email", "kind", "pk")
    by_email: dict[str, list[Reminder]] = {}
    for item in pending:
        by_email.setdefault(item.recipient_email, []).append(item)
    sent = 0
    emails = list(by_email)
    for start in range(0, len(emails), DIGEST_BATCH):
        sent += _send_batch({email: by_email[email] for email in emails[start : start + DIGEST_BATCH]}, on=on)
    return sent


DIGEST_BATCH = 500


def send_now(*, recipient_emails: list[str], on: datetime.date | None = None) -> set[str]:
    """Send these people's digests now rather than at the morning run (an office resending a link), unless
    they already had today's: the one-a-day rule holds, and their items wait for tomorrow's. Returns the
    addresses whose digest was sent now."""
    on = on or today()
    emails = {e.strip().lower() for e in recipient_emails if e}
    pending = Reminder.objects.filter(recipient_email__in=emails, on__lte=on, digest__isnull=True).order_by(
        "recipient_email", "kind", "pk"
    )
    by_email: dict[str, list[Reminder]] = {}
    for item in pending:
        by_email.setdefault(item.recipient_email, []).append(item)
    if not by_email:
        return set()
    already = set(
        Digest.objects.filter(recipient_email__in=list(by_email), on=on).values_list("recipient_email", flat=True)
    )
    _send_batch(by_email, on=on)
    return set(by_email) - already


def _send_batch(by_email: dict[str, list[Reminder]], *, on: datetime.date) -> int:
    """One transaction per batch of people: their digests, the links from their reminders and the delivery
    tasks are committed together (the tasks go to the broker after the commit)."""
    with transaction.atomic():
        done = set(
            Digest.objects.filter(recipient_email__in=list(by_email), on=on).values_list("recipient_email", flat=True)
        )
        todo = {email: items for email, items in by_email.items() if email not in done}
        # The schools' names for parents' digests (their subject names the school), one query for the batch.
        parent_schools = {i.school_id for items in todo.values() if parents.language_of(items) for i in items}
        school_names = (
            dict(School.objects.filter(pk__in=parent_schools - {None}).values_list("pk", "name"))
            if parent_schools
            else {}
        )
        composed = {email: _compose(items, school_names=school_names) for email, items in todo.items()}
        digests: list[Digest] = []
        try:
            with transaction.atomic():  # the usual case: nobody else is sending, one insert for the batch
                digests = Digest.objects.bulk_create(
                    [
                        Digest(recipient_email=email, on=on, subject=subject, body=body)
                        for email, (subject, body, _html) in composed.items()
                    ]
                )
        except IntegrityError:
            digests = []  # another process (a second beat) is sending some of them: one by one, skipping those
            for email in todo:
                subject, body, _html = composed[email]
                try:
                    with transaction.atomic():
                        digests.append(Digest.objects.create(recipient_email=email, on=on, subject=subject, body=body))
                except IntegrityError:
                    continue
        linked = []
        for digest in digests:
            for item in todo[digest.recipient_email]:
                item.digest = digest
                linked.append(item)
        Reminder.objects.bulk_update(linked, ["digest"], batch_size=1000)
        # One recorded delivery per digest, retried for a day (outbox/email.py); one task sends the batch.
        deliveries = send_emails(
            [
                EmailDelivery(
                    to=[d.recipient_email],
                    subject=d.subject,
                    body=d.body,
                    html_body=composed[d.recipient_email][2],
                    kind=EmailDelivery.Kind.REMINDER,
                    school_id=todo[d.recipient_email][0].school_id,
                )
                for d in digests
            ]
        )
        for digest, delivery in zip(digests, deliveries, strict=True):
            digest.delivery = delivery
        Digest.objects.bulk_update(digests, ["delivery"], batch_size=1000)
        return len(digests)

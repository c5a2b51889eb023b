from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from . import services
from .models import Digest


@shared_task(name="reminders.run_sweep", ignore_result=True)
def run_sweep(kind: str) -> int:
    return services.run_sweep(kind)


@shared_task(name="reminders.send_digests", ignore_result=True)
def send_digests() -> int:
    return services.send_digests()


# An SMTP server that is down or refusing for a while: try again after 1, 2, 4, 8 and 16 minutes (no jitter:
# there is one digest per person, not a thundering herd), then leave it "failed" on the office's page.
RETRY_BACKOFF_SECONDS = 60
MAX_RETRIES = 5


@shared_task(
    name="reminders.deliver_digest", bind=True, autoretry_for=(OSError,), retry_backoff=RETRY_BACKOFF_SECONDS,
    retry_backoff_max=3600, retry_jitter=False, max_retries=MAX_RETRIES, ignore_result=True,
)
def deliver_digest(self, *, digest_id: int) -> str:
    digest = Digest.objects.get(pk=digest_id)
    if digest.status in (Digest.Status.SENT, Digest.Status.BOUNCED):
        return digest.status  # a retry after success, or a second worker: never twice
    digest.attempts += 1
    try:
        send_mail(digest.subject, digest.body, None, [digest.recipient_email])
    except smtplib.SMTPRecipientsRefused as exc:
        # The address is refused outright: retrying will not help, the office needs to know.
        digest.status, digest.last_error = Digest.Status.BOUNCED, str(exc)[:500]
        digest.save(update_fields=["status", "attempts", "last_error"])
        return digest.status
    except OSError as exc:
        digest.status, digest.last_error = Digest.Status.FAILED, str(exc)[:500]
        digest.save(update_fields=["status", "attempts", "last_error"])
        raise
    digest.status, digest.sent_at, digest.last_error = Digest.Status.SENT, timezone.now(), ""
    digest.save(update_fields=["status", "attempts", "sent_at", "last_error"])
    return digest.status

from __future__ import annotations

from typing import Any

from celery import shared_task

from safeguarding_portal.outbox.email import Kind, is_permanent, send_email
from safeguarding_portal.outbox.models import EmailDelivery

from . import services
from .models import Digest


@shared_task(name="reminders.run_sweep", ignore_result=True)
def run_sweep(kind: str) -> int:
    return services.run_sweep(kind)


@shared_task(name="reminders.send_digests", ignore_result=True)
def send_digests() -> int:
    return services.send_digests()


@shared_task(name="reminders.deliver_digest", ignore_result=True)
def deliver_digest(*, digest_id: int) -> str:
    """Kept for messages queued before digests were sent as recorded deliveries: hands the digest to one."""
    digest = Digest.objects.get(pk=digest_id)
    if digest.delivery_id is None and digest.status == Digest.Status.QUEUED:
        digest.delivery = send_email(
            to=[digest.recipient_email], subject=digest.subject, body=digest.body, kind=Kind.REMINDER
        )
        digest.save(update_fields=["delivery"])
    return digest.status


def digest_follows_its_delivery(*, delivery: EmailDelivery, error: BaseException | None, **kwargs: Any) -> None:
    """The office's reminder log reads the digest: keep its status in step with its email after each attempt.
    Not sent yet is "failed (will be retried)"; refused for good is "bounced"."""
    if delivery.kind != EmailDelivery.Kind.REMINDER:
        return
    State = EmailDelivery.State
    if delivery.state == State.SENT:
        status = Digest.Status.SENT
    elif delivery.state == State.FAILED and error is not None and is_permanent(error):
        status = Digest.Status.BOUNCED
    else:
        status = Digest.Status.FAILED
    Digest.objects.filter(delivery=delivery).update(
        status=status, attempts=delivery.attempts, last_error=delivery.last_error[:500], sent_at=delivery.sent_at
    )

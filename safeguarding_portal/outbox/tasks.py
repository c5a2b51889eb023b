from celery import shared_task

from . import email, services


@shared_task(name="outbox.drain", ignore_result=True)
def outbox_drain() -> int:
    """Every minute from beat: send the tasks the broker missed, then the emails whose next attempt is due."""
    sent = services.drain()
    email.deliver_due()
    return sent


@shared_task(name="outbox.deliver_email", ignore_result=True)
def deliver_email(*, delivery_id: int) -> dict[str, int]:
    return email.deliver([delivery_id])


@shared_task(name="outbox.deliver_emails", ignore_result=True)
def deliver_emails(*, delivery_ids: list[int]) -> dict[str, int]:
    return email.deliver(delivery_ids)

from celery import shared_task

from safeguarding_portal.outbox.email import send_email as send

from .resume import purge_expired as purge


@shared_task(name="accounts.send_email", ignore_result=True)
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Kept for messages queued before deliveries were recorded: they become a recorded delivery now."""
    return send(to=to, subject=subject, body=body).pk and 1


@shared_task(name="accounts.purge_expired", ignore_result=True)
def purge_expired() -> dict[str, int]:
    """Hourly from beat: expired sessions and expired kept forms are deleted, not left in the database."""
    return purge()

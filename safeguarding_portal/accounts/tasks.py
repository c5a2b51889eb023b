from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(name="accounts.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


@shared_task(name="accounts.purge_expired", ignore_result=True)
def purge_expired() -> dict[str, int]:
    """Hourly from beat: expired sessions and expired kept forms are deleted, not left in the database."""
    from .resume import purge_expired as purge

    return purge()

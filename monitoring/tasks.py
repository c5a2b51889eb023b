from celery import shared_task

from . import paging


@shared_task(name="monitoring.resend_sweep", ignore_result=True)
def resend_sweep() -> int:
    """Every two minutes: page again, once, about critical alerts nobody has picked up in time."""
    return paging.resend_sweep()

from celery import shared_task

from . import paging


@shared_task(name="monitoring.resend_sweep", ignore_result=True)
def resend_sweep() -> int:
    """Every two minutes: critical alerts nobody has picked up go on along the chain, each step once."""
    return paging.resend_sweep()

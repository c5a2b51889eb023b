from celery import shared_task

from . import services


@shared_task(name="outbox.drain", ignore_result=True)
def outbox_drain() -> int:
    return services.drain()

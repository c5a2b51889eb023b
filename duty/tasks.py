"""Celery tasks of the duty app, enqueued through the outbox (sent on commit)."""

from __future__ import annotations

from celery import shared_task

from . import texts


@shared_task(name="duty.deliver_sms", ignore_result=True)
def deliver_sms(*, delivery_id: int) -> str | None:
    return texts.deliver(delivery_id)

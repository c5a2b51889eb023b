"""What is kept in the outbox while the broker is down is only sent if beat runs the drain: check the schedule
is in django-celery-beat's tables (where beat's DatabaseScheduler reads it), not how it got there."""

from datetime import timedelta

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from safeguarding_portal.celery import app

pytestmark = pytest.mark.django_db


def test_an_enabled_periodic_task_runs_outbox_drain_at_least_every_minute():
    task = PeriodicTask.objects.get(task="outbox.drain")

    assert task.enabled
    assert task.interval is not None, "the drain should run on an interval"
    assert timedelta(**{task.interval.period: task.interval.every}) <= timedelta(minutes=1)


def test_beats_database_scheduler_loads_the_outbox_drain():
    scheduler = DatabaseScheduler(app=app, lazy=True)
    try:
        entries = scheduler.all_as_schedule()
    finally:
        scheduler._finalize.cancel()  # it would otherwise write to the database when collected

    drains = [entry for entry in entries.values() if entry.task == "outbox.drain"]
    assert len(drains) == 1
    assert drains[0].schedule.run_every <= timedelta(minutes=1)

"""Beat entries for every registered sweep and the digest, created when missing, never overwritten (an
administrator may have changed a time in the admin)."""

from __future__ import annotations

import json

DIGEST_HOUR, DIGEST_MINUTE = 7, 0


def sync_schedule() -> None:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    from .registry import SWEEPS

    def daily(hour: int, minute: int) -> CrontabSchedule:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute), hour=str(hour), day_of_week="*", day_of_month="*", month_of_year="*",
            timezone="Europe/London",
        )
        return schedule

    for kind, sweep in SWEEPS.items():
        name = f"Reminder sweep: {kind}"
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        extra = {"crontab": daily(sweep.hour, sweep.minute)}
        if sweep.every_minutes:
            interval, _ = IntervalSchedule.objects.get_or_create(every=sweep.every_minutes, period="minutes")
            extra = {"interval": interval}
        PeriodicTask.objects.create(
            name=name, task="reminders.run_sweep", kwargs=json.dumps({"kind": kind}), description=sweep.description,
            **extra,
        )
    if not PeriodicTask.objects.filter(name="Reminder digests").exists():
        PeriodicTask.objects.create(
            name="Reminder digests", task="reminders.send_digests", crontab=daily(DIGEST_HOUR, DIGEST_MINUTE),
            description="One email a day to each person with what is due from them.",
        )

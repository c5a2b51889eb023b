"""Beat entries for every registered sweep and the digest, created when missing, never overwritten (an
administrator may have changed a time in the admin)."""

from __future__ import annotations

import json

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

from .registry import SWEEPS

DIGEST_HOUR, DIGEST_MINUTE = 7, 0

# Beat entries that predate the engine and whose work a registered sweep now does. They are switched off
# (kept, so the admin shows what replaced them) when the sweep's own entry exists; if an administrator
# turns one back on, nothing is sent twice: the sweeps record each alert once.
SUPERSEDED = {"incidents.urgent_resend_sweep": "incidents.urgent_unacknowledged"}


def sync_schedule() -> None:
    def daily(hour: int, minute: int) -> CrontabSchedule:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute),
            hour=str(hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
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
            name=name,
            task="reminders.run_sweep",
            kwargs=json.dumps({"kind": kind}),
            description=sweep.description,
            **extra,
        )
    for old_task, kind in SUPERSEDED.items():
        if kind in SWEEPS:
            switched_off = (
                PeriodicTask.objects.filter(task=old_task, enabled=True)
                .exclude(description__startswith="Replaced")
                .update(enabled=False, description=f"Replaced by the reminder sweep {kind}.")
            )
            if switched_off:
                PeriodicTasks.update_changed()  # a running beat reloads its schedule
    if not PeriodicTask.objects.filter(name="Reminder digests").exists():
        PeriodicTask.objects.create(
            name="Reminder digests",
            task="reminders.send_digests",
            crontab=daily(DIGEST_HOUR, DIGEST_MINUTE),
            description="One email a day to each person with what is due from them.",
        )

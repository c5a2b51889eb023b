"""The sweeps of the reminder engine.

A domain app declares what is due from whom in ``<app>/reminders.py``::

    from safeguarding_portal.reminders.registry import sweep
    from safeguarding_portal.reminders.services import remind

    @sweep("training.expiring", hour=6, minute=10)
    def training_expiring(*, today: datetime.date) -> int:
        for record in ...:
            remind(recipient_email=..., kind="training.expiring", key=f"record:{record.pk}",
                   text=..., url=..., school=...)
        return count

A sweep only *records* what is due (``remind`` is idempotent per person, kind, key and day); the digest
sender turns each person's items of the day into one email. Beat runs each sweep from a schedule kept in
the database (django-celery-beat), created on migrate and editable in the admin afterwards.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from safeguarding_portal.core import plugins


@dataclass(frozen=True)
class Sweep:
    kind: str
    fn: Callable[..., int]
    # Daily at hour:minute (Europe/London), or every ``every_minutes`` when set (urgent sweeps).
    hour: int = 6
    minute: int = 0
    every_minutes: int | None = None
    description: str = ""


# Kind ``reminder_sweep`` of core.plugins, discovered in every app's ``reminders.py`` on first use.
SWEEPS = plugins.KindView("reminder_sweep")


def sweep(
    kind: str, *, hour: int = 6, minute: int = 0, every_minutes: int | None = None
) -> Callable[[Callable[..., int]], Callable[..., int]]:
    def register(fn: Callable[..., int]) -> Callable[..., int]:
        plugins.register(
            "reminder_sweep",
            kind,
            Sweep(kind, fn, hour, minute, every_minutes, (fn.__doc__ or "").strip().split("\n")[0]),
        )
        return fn

    return register


def run(kind: str, *, today: datetime.date) -> int:
    count: int = SWEEPS[kind].fn(today=today)
    return count

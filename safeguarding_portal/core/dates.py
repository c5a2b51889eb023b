"""Dates as the school keeps them: whole days in the portal's time zone."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes [from, to) covering the whole of both days in the school's time zone, so a timestamp
    comparison can use an index instead of converting every row's timestamp to a date."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.datetime.combine(start, datetime.time.min, tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz),
    )

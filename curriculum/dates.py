"""Date arithmetic for renewals and the academic year."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day when it is shorter (31 Jan + 1 month = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def academic_year_of(day: datetime.date) -> int:
    """The calendar year the academic year containing ``day`` starts in (1 August to 31 July)."""
    return day.year if day.month >= 8 else day.year - 1


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 8, 1), datetime.date(year + 1, 7, 31)


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"

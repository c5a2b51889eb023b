from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def duration_words(value: datetime.timedelta | None) -> str:
    """A cool-off period as people say it: "30 minutes", "1 hour", "1 hour 30 minutes"."""
    if not isinstance(value, datetime.timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)

"""The duty app's sweeps on the reminder engine (``safeguarding_portal/reminders/registry.py``)."""

from __future__ import annotations

import datetime

from safeguarding_portal.reminders.registry import sweep

from . import encompass, texts

SMS_RETRY_EVERY_MINUTES = 2


@sweep("duty.sms_retry", every_minutes=SMS_RETRY_EVERY_MINUTES)
def sms_retry(*, today: datetime.date) -> int:
    """Urgent texts not sent at the first attempt: tried again until they go, for a day."""
    return texts.deliver_due()


ENCOMPASS_EVERY_MINUTES = 2


@sweep("duty.encompass_unacknowledged", every_minutes=ENCOMPASS_EVERY_MINUTES)
def encompass_unacknowledged(*, today: datetime.date) -> int:
    """Police notifications nobody acknowledged: to the rest of the team, the head, and at the start of the
    next school day escalated to the deputies and the headteacher."""
    return encompass.sweep()

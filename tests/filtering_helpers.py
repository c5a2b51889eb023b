"""Shared helpers for the filtering tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from filtering import services
from filtering.models import State

from .factories_filtering import make_change


def overdue_allow(*, school, requester, approver, technician, days_ago: int = 30, lasted: int = 14):
    """An allow approved and applied ``days_ago`` days ago for ``lasted`` days, never reverted."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    with services.backdated(at):
        return make_change(
            school=school,
            requester=requester,
            approver=approver,
            technician=technician,
            state=State.APPLIED,
            expires_in_days=lasted,
        )

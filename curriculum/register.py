"""The policy register's rule: when a policy's review is due. The register is read by ``selectors.policy_register``
and saved by ``services.policy_save``."""

from __future__ import annotations

import datetime

from .models import Policy

REVIEW_SOON_DAYS = 60


def review_state(policy: Policy, *, today: datetime.date) -> str:
    due = policy.next_review_due
    if due < today:
        return "overdue"
    if (due - today).days <= REVIEW_SOON_DAYS:
        return "due"
    return "current"

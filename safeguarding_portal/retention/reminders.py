"""The monthly disposal sweep (``disposal.py``), run by the reminder engine's beat entry
(``safeguarding_portal/reminders/registry.py``): daily, doing its work once a month, then a reminder to the DSL and
the headteacher of each school with records to review."""

from __future__ import annotations

import datetime

from django.urls import reverse

from safeguarding_portal.reminders.registry import sweep

from . import disposal
from .models import ApprovalRole, BatchStatus, DisposalBatch


@sweep("retention.disposal_due", hour=2, minute=30)
def disposal_due(*, today: datetime.date) -> int:
    """Records due for disposal under each school's retention schedule, listed for the DSL's and the head's
    review once a month (nothing held, nothing disposed of without both approvals)."""
    listed = disposal.sweep(today=today)
    if listed:
        _remind(today)
    return listed


def _remind(today: datetime.date) -> None:
    from safeguarding_portal.accounts.models import Membership
    from safeguarding_portal.reminders.services import remind_many

    batches = dict(
        DisposalBatch.objects.filter(month=today.replace(day=1), status=BatchStatus.REVIEW).values_list(
            "school_id", "pk"
        )
    )
    people = (
        Membership.objects.current(today)
        .filter(school_id__in=list(batches), role__in=ApprovalRole.values, user__is_active=True)
        .values_list("school_id", "user_id", "user__email")
    )
    remind_many(
        [
            {
                "recipient_email": email,
                "kind": "retention.disposal_due",
                "key": f"batch:{batches[sid]}",
                "school_id": sid,
                "text": f"Records are due for disposal this month: review and approve the list ({today:%B %Y}).",
                "url": reverse("retention:batch", kwargs={"batch_id": batches[sid]}),
            }
            for sid, _, email in people
        ],
        on=today,
    )

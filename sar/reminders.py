"""What the reminder engine chases for subject access requests (see ``safeguarding_portal/reminders/registry.py``):
open requests in their last week and overdue ones, in the daily digest of everyone who manages them at the school
(the office, the DSL team and the head; never the member of staff a request is about). Texts name nobody: a request
number, the deadline and a link."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Cap, roles_with
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind_many

from .models import SubjectAccessRequest
from .selectors import DUE_SOON_DAYS

# Everyone who manages requests: the office, the DSL team and the head (the policy says who).
MANAGING_ROLES = roles_with(Cap.MANAGE_SAR)


@sweep("sar.deadlines", hour=6, minute=35)
def deadlines(*, today: datetime.date) -> int:
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    deadline_by = Q(extended_to__isnull=False, extended_to__lte=soon) | Q(extended_to__isnull=True, due_on__lte=soon)
    due = list(
        SubjectAccessRequest.objects.filter(deadline_by, closed_at__isnull=True).only(
            "pk", "school_id", "due_on", "extended_to", "received_on", "subject_staff_id"
        )
    )
    if not due:
        return 0
    managers: dict[int, list] = {}
    for m in (
        Membership.objects.current(on=today)
        .filter(school_id__in={s.school_id for s in due}, role__in=MANAGING_ROLES, user__is_active=True)
        .select_related("user")
    ):
        if all(u.pk != m.user_id for u in managers.get(m.school_id, [])):
            managers.setdefault(m.school_id, []).append(m.user)
    items = []
    for sar in due:
        overdue = sar.deadline < today
        text = f"Subject access request {sar.pk} (received {sar.received_on:%-d %b %Y}) " + (
            f"is overdue: it was due on {sar.deadline:%-d %b %Y}."
            if overdue
            else f"is due on {sar.deadline:%-d %b %Y}."
        )
        for user in managers.get(sar.school_id, []):
            if user.pk == sar.subject_staff_id:
                continue
            items.append(
                {
                    "recipient_email": user.email,
                    "recipient_user": user,
                    "kind": "sar.overdue" if overdue else "sar.due_soon",
                    "key": f"sar:{sar.pk}",
                    "school_id": sar.school_id,
                    "text": text,
                    "url": reverse("sar:detail", args=[sar.pk]),
                }
            )
    return remind_many(items, on=today)

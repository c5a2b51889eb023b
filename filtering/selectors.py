"""Reads for web filtering: lists, what awaits whom, responsibilities, the coverage grid. Constant queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from safeguarding_portal.accounts import policy
from safeguarding_portal.audit.chain import ChainHead
from safeguarding_portal.schools.models import School
from safeguarding_portal.schools.selectors import TermInView, term_in_view

from .models import (
    ChangeRequest,
    CheckLocation,
    DeviceType,
    FilterCheck,
    FilterEvent,
    FilterReview,
    Responsibility,
    ResponsibilityRole,
    ReviewAction,
    ReviewKind,
    State,
    UserGroup,
)

EXPIRY_WARNING_DAYS = 7
REVIEW_DUE_DAYS = 365
REVIEW_WARNING_DAYS = 30


def changes_for(portal) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(policy.filter_change_visibility(portal)).select_related(
        "requested_by", "decided_by", "applied_by"
    )


def to_decide(*, school: School, user) -> QuerySet[ChangeRequest]:
    """Requests awaiting a decision that this person may take (never their own)."""
    return ChangeRequest.objects.filter(school=school, state=State.REQUESTED).exclude(requested_by=user)


def to_apply(*, school: School) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(school=school, state=State.APPROVED)


def live_allows(*, school: School) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(school=school, state=State.APPLIED, expires_on__isnull=False)


def overdue(*, school: School, today: datetime.date) -> QuerySet[ChangeRequest]:
    return live_allows(school=school).filter(expires_on__lt=today)


def expiring(*, school: School, today: datetime.date, days: int = EXPIRY_WARNING_DAYS) -> QuerySet[ChangeRequest]:
    return live_allows(school=school).filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days))


@dataclass
class RoleHolder:
    role: str
    label: str
    holder: Responsibility | None

    @property
    def missing(self) -> bool:
        return self.holder is None


def responsibilities(*, school: School, on: datetime.date | None = None) -> list[RoleHolder]:
    """Each of the four roles with its current holder, or None (shown in red wherever filtering is shown)."""
    on = on or timezone.localdate()
    current = (
        Responsibility.objects.filter(school=school, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("role", "-starts_on")
    )
    by_role: dict[str, Responsibility] = {}
    for r in current:
        by_role.setdefault(r.role, r)
    return [RoleHolder(value, label, by_role.get(value)) for value, label in ResponsibilityRole.choices]


def missing_roles(*, school: School, on: datetime.date | None = None) -> list[str]:
    return [r.label for r in responsibilities(school=school, on=on) if r.missing]


def term_window(*, school: School, today: datetime.date) -> tuple[datetime.date, datetime.date, TermInView]:
    """The dates the checks grid covers: the term in view so far (the current term to today, out of term
    the term that ended last), or with no term started the last 13 weeks; the view says which."""
    view = term_in_view(school=school, today=today)
    start, end = view.window()
    return start, min(end, today), view


@dataclass
class Cell:
    device: str
    location: str
    group: str
    checks: int
    failed: int
    last: datetime.date | None

    @property
    def untested(self) -> bool:
        return self.checks == 0

    @property
    def group_label(self) -> str:
        return UserGroup(self.group).label


def coverage(*, school: School, start: datetime.date, end: datetime.date) -> dict:
    """Device types x locations x user groups, with the checks made in [start, end]: one query."""
    rows = (
        FilterCheck.objects.filter(school=school, checked_on__gte=start, checked_on__lte=end)
        .values("device_type", "location", "user_group")
        .annotate(n=Count("pk"), failed=Count("pk", filter=Q(passed=False)), last=Max("checked_on"))
    )
    found = {(r["device_type"], r["location"], r["user_group"]): r for r in rows}
    grid = []
    untested = 0
    for device, device_label in DeviceType.choices:
        # ``cells`` in location-then-group order; ``rows`` the same cells a location per row (the page draws a
        # small table per device, which fits a phone).
        line = {"device": device_label, "device_value": device, "cells": [], "rows": []}
        for location, location_label in CheckLocation.choices:
            row = {"location": location_label, "cells": []}
            for group, _ in UserGroup.choices:
                r = found.get((device, location, group))
                cell = Cell(
                    device, location, group, r["n"] if r else 0, r["failed"] if r else 0, r["last"] if r else None
                )
                untested += cell.untested
                line["cells"].append(cell)
                row["cells"].append(cell)
            line["rows"].append(row)
        line["untested"] = sum(c.untested for c in line["cells"])
        grid.append(line)
    return {
        "grid": grid,
        "locations": CheckLocation.choices,
        "groups": UserGroup.choices,
        "untested": untested,
        "cells": len(DeviceType.choices) * len(CheckLocation.choices) * len(UserGroup.choices),
        "start": start,
        "end": end,
    }


def last_annual_review(*, school: School) -> FilterReview | None:
    return FilterReview.objects.filter(school=school, kind=ReviewKind.ANNUAL).order_by("-held_on").first()


def annual_review_due(*, school: School, today: datetime.date) -> tuple[datetime.date | None, str]:
    """(due date, "red"|"amber"|"green"): red when overdue or never held, amber within a month."""
    last = last_annual_review(school=school)
    return review_due_state(last_held_on=last.held_on if last else None, today=today)


def review_due_state(*, last_held_on: datetime.date | None, today: datetime.date) -> tuple[datetime.date | None, str]:
    """The annual review's due date and state from the date it was last held (one rule for every surface)."""
    if last_held_on is None:
        return None, "red"
    due = last_held_on + datetime.timedelta(days=REVIEW_DUE_DAYS)
    if due < today:
        return due, "red"
    if due <= today + datetime.timedelta(days=REVIEW_WARNING_DAYS):
        return due, "amber"
    return due, "green"


def open_actions(*, school: School) -> QuerySet[ReviewAction]:
    return ReviewAction.objects.filter(review__school=school, done_on__isnull=True).select_related("owner", "review")


def log_page(*, school: School, before: int | None, size: int = 50) -> tuple[list[FilterEvent], int | None]:
    """One page of the school's log, newest first, by sequence number (no OFFSET, no COUNT over the log)."""
    qs = FilterEvent.objects.filter(chain=f"school:{school.pk}")
    if before is not None:
        qs = qs.filter(seq__lt=before)
    events = list(
        qs.order_by("-seq").only(
            "pk",
            "seq",
            "hash",
            "prev_hash",
            "kind",
            "actor_name",
            "at",
            "summary",
            "change_id",
            "change_reference",
        )[: size + 1]
    )
    more = events[size].seq + 1 if len(events) > size else None
    return events[:size], more


def log_head(*, school: School) -> int:
    head = ChainHead.objects.filter(model_label=FilterEvent._meta.label, chain=f"school:{school.pk}").first()
    return head.seq if head else 0

"""Reminders about the school itself: term dates for the coming year, which reports, reminders and the
five-school-day CP-file deadline count from."""

from __future__ import annotations

import datetime

from django.urls import reverse

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind

from .calendar import academic_year_label
from .selectors import schools_missing_term_dates, term_dates_due_for

ASK_WEEKDAY = 0  # Monday: once a week is enough to be seen, not a daily nag


@sweep("schools.term_dates_missing", hour=6, minute=5)
def term_dates_missing(*, today: datetime.date) -> int:
    """DSL and headteacher: the coming school year's term dates are not entered (weekly, from July)."""
    if today.weekday() != ASK_WEEKDAY:
        return 0
    year = academic_year_label(term_dates_due_for(today))
    missing = schools_missing_term_dates(today=today).values_list("pk", flat=True)
    people = (
        Membership.objects.current(on=today)
        .filter(school_id__in=missing, role__in=[Role.DSL, Role.HEADTEACHER], user__is_active=True)
        .select_related("user")
    )
    url = reverse("schools:terms_edit")
    sent = 0
    for member in people:
        sent += remind(
            recipient_email=member.user.email,
            recipient_user=member.user,
            school_id=member.school_id,
            kind="schools.term_dates_missing",
            key=f"term-dates:{year}",
            url=url,
            on=today,
            text=f"Term dates for {year} are missing: reports, reminders and the five-school-day deadline for "
            "child-protection files count school days from them (until then every weekday counts).",
        )
    return sent

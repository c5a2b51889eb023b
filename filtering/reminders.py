"""What is due in web filtering, for the shared reminder engine (one digest a day per person).

Texts name a change's reference and target, a check's gap or a review action; never a child.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind
from safeguarding_portal.schools.models import School

from . import selectors, services
from .models import ChangeRequest, FilterCheck, ReviewAction, State

CHECK_EVERY_DAYS = 30  # a check at least monthly, and every cell of the grid once a term
TERM_END_WARNING_DAYS = 21


def _people(school_ids, roles) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    for m in (
        Membership.objects.current()
        .filter(school_id__in=school_ids, role__in=roles, user__is_active=True)
        .select_related("user")
    ):
        if m.user not in found[m.school_id]:
            found[m.school_id].append(m.user)
    return found


def _send(users, *, kind, key, text, url, school_id) -> int:
    sent = 0
    for user in users:
        sent += remind(
            recipient_email=user.email,
            recipient_user=user,
            kind=kind,
            key=key,
            text=text,
            url=url,
            school=School(pk=school_id),
        )
    return sent


@sweep("filtering.expiring", hour=6, minute=20)
def expiring(*, today: datetime.date) -> int:
    """Technicians: temporary allows expiring within a week, so they are reverted on time."""
    changes = list(
        ChangeRequest.objects.filter(
            state=State.APPLIED,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=selectors.EXPIRY_WARNING_DAYS),
        )
    )
    techs = _people({c.school_id for c in changes}, [Role.TECHNICIAN])
    sent = 0
    for c in changes:
        sent += _send(
            techs[c.school_id],
            kind="filtering.expiring",
            key=f"change:{c.pk}",
            text=f"{c.reference} ({c.summary}) expires on {c.expires_on:%d %b %Y}: revert it then.",
            url=reverse("filtering:change", args=[c.pk]),
            school_id=c.school_id,
        )
    return sent


@sweep("filtering.overdue", hour=6, minute=21)
def overdue(*, today: datetime.date) -> int:
    """Technicians and the approver: allows past their expiry and still in place (logged once as overdue)."""
    changes = list(
        ChangeRequest.objects.filter(state=State.APPLIED, expires_on__lt=today).select_related("school", "decided_by")
    )
    techs = _people({c.school_id for c in changes}, [Role.TECHNICIAN])
    sent = 0
    for c in changes:
        services.record_overdue(change=c, today=today)
        people = list(techs[c.school_id]) + ([c.decided_by] if c.decided_by and c.decided_by.is_active else [])
        sent += _send(
            people,
            kind="filtering.overdue",
            key=f"change:{c.pk}",
            text=f"OVERDUE: {c.reference} ({c.summary}) expired on {c.expires_on:%d %b %Y} and is still "
            "in place. Revert it, or ask for a new approval.",
            url=reverse("filtering:change", args=[c.pk]),
            school_id=c.school_id,
        )
    return sent


@sweep("filtering.checks_due", hour=6, minute=22)
def checks_due(*, today: datetime.date) -> int:
    """Technicians: no check for a month, or untested combinations with the term ending soon."""
    schools = list(School.objects.filter(Q(filter_checks__isnull=False) | Q(filter_changes__isnull=False)).distinct())
    techs = _people({s.pk for s in schools}, [Role.TECHNICIAN])
    sent = 0
    for school in schools:
        last = (
            FilterCheck.objects.filter(school=school)
            .order_by("-checked_on")
            .values_list("checked_on", flat=True)
            .first()
        )
        start, end, view = selectors.term_window(school=school, today=today)
        term = view.term if view.in_term else None  # out of term there is no "term ending soon" to warn of
        texts = []
        if last is None or last < today - datetime.timedelta(days=CHECK_EVERY_DAYS):
            texts.append("No filtering check recorded for a month: run one (for example SWGfL Test Filtering).")
        if term is not None and term.ends_on - today <= datetime.timedelta(days=TERM_END_WARNING_DAYS):
            grid = selectors.coverage(school=school, start=start, end=end)
            if grid["untested"]:
                texts.append(
                    f"{grid['untested']} device, location and user-group combinations are untested "
                    f"this term (it ends on {term.ends_on:%d %b %Y})."
                )
        for text in texts:
            sent += _send(
                techs[school.pk],
                kind="filtering.checks_due",
                key=f"school:{school.pk}:{text[:20]}",
                text=text,
                url=reverse("filtering:checks"),
                school_id=school.pk,
            )
    return sent


@sweep("filtering.review_due", hour=6, minute=23)
def review_due(*, today: datetime.date) -> int:
    """The head and DSL: the annual review is due within a month, or overdue."""
    schools = list(School.objects.filter(filter_reviews__isnull=False).distinct())
    leaders = _people({s.pk for s in schools}, [Role.HEADTEACHER, Role.DSL])
    sent = 0
    for school in schools:
        due, rag = selectors.annual_review_due(school=school, today=today)
        if rag == "green" or due is None:
            continue
        text = (
            f"The annual review of filtering and monitoring is overdue (due {due:%d %b %Y})."
            if due < today
            else f"The annual review of filtering and monitoring is due by {due:%d %b %Y}."
        )
        sent += _send(
            leaders[school.pk],
            kind="filtering.review_due",
            key=f"school:{school.pk}",
            text=text,
            url=reverse("filtering:reviews"),
            school_id=school.pk,
        )
    return sent


@sweep("filtering.action_overdue", hour=6, minute=24)
def action_overdue(*, today: datetime.date) -> int:
    """Owners of review actions past their due date."""
    sent = 0
    for action in ReviewAction.objects.filter(
        done_on__isnull=True, due_on__lt=today, owner__isnull=False
    ).select_related("owner", "review"):
        if not action.owner.is_active:
            continue
        sent += _send(
            [action.owner],
            kind="filtering.action_overdue",
            key=f"action:{action.pk}",
            text=f"Filtering review action overdue since {action.due_on:%d %b %Y}: {action.text}",
            url=reverse("filtering:reviews"),
            school_id=action.review.school_id,
        )
    return sent

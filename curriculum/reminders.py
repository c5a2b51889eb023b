"""Reminders through the shared engine: training before expiry and when overdue, a weekly digest item for
the DSL, and policy reviews falling due. Each sweep covers every school in a handful of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.reminders.services import remind, remind_many
from safeguarding_portal.schools.models import School

from .constants import KCSIE_DEFAULTS, TRAINED_ROLES, DefaultRequirement
from .models import Policy, TrainingRecord, TrainingRequirement
from .register import review_state
from .services import gaps_check
from .training import State, state_for

# Days before expiry on which the person is reminded (not every day: nobody reads a daily nag).
BEFORE_EXPIRY_DAYS = (30, 14, 7, 1)
# Overdue or missing training and policy reviews: once a week, on the weekday it fell due.
OVERDUE_EVERY_DAYS = 7
DIGEST_WEEKDAY = 0  # Monday
POLICY_BEFORE_DAYS = (60, 30, 7, 0)


def _ensure_defaults_everywhere() -> None:
    has = set(TrainingRequirement.objects.values_list("school_id", flat=True).distinct())
    missing = School.objects.exclude(pk__in=has).values_list("pk", flat=True)
    TrainingRequirement.objects.bulk_create(
        [
            TrainingRequirement(
                school_id=school_id,
                key=key,
                name=str(DefaultRequirement(key).label),
                roles=list(roles),
                renew_months=months,
                guidance=why,
                order=i,
            )
            for school_id in missing
            for i, (key, roles, months, why) in enumerate(KCSIE_DEFAULTS)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


def training_states(*, today: datetime.date, school_ids: list[int] | None = None):
    """Yield (school_id, user, roles, requirement, state, last_done, expires_on) for everyone required to train.

    Three queries for every school of the portal: requirements, memberships, latest completions.
    """
    reqs = TrainingRequirement.objects.filter(active=True)
    members = Membership.objects.current(on=today).filter(role__in=TRAINED_ROLES, user__is_active=True)
    records = TrainingRecord.objects.all()
    if school_ids is not None:
        reqs, members, records = (qs.filter(school_id__in=school_ids) for qs in (reqs, members, records))
    by_school: dict[int, list[TrainingRequirement]] = defaultdict(list)
    for req in reqs.order_by("school_id", "order"):
        by_school[req.school_id].append(req)
    people: dict[tuple[int, int], tuple] = {}
    for m in members.select_related("user").order_by("school_id", "user_id"):
        key = (m.school_id, m.user_id)
        user, roles = people.get(key, (m.user, set()))
        roles.add(m.role)
        people[key] = (user, roles)
    last = {
        (r["school_id"], r["user_id"], r["requirement_id"]): r["last"]
        for r in records.values("school_id", "user_id", "requirement_id").annotate(last=Max("completed_on")).order_by()
    }
    for (school_id, user_id), (user, roles) in people.items():
        for req in by_school.get(school_id, []):
            if not roles & set(req.roles):
                continue
            done = last.get((school_id, user_id, req.pk))
            state, expires = state_for(last_done=done, requirement=req, today=today)
            yield school_id, user, roles, req, state, done, expires


def _person_reminder(*, today, state, expires, done) -> str | None:
    if state == State.DUE and (expires - today).days in BEFORE_EXPIRY_DAYS:
        return "due"
    if state == State.EXPIRED and (today - expires).days % OVERDUE_EVERY_DAYS == 0:
        return "expired"
    if state == State.MISSING and today.weekday() == DIGEST_WEEKDAY:
        return "missing"
    return None


@sweep("curriculum.training", hour=6, minute=20)
def training_due(*, today: datetime.date) -> int:
    """Training expiring soon, expired or never done: to the person, and weekly to the DSL."""
    # One transaction for the whole sweep: each remind() is then a savepoint, not a commit of its own
    # (3,000 reminders over 500 schools took 38 s committing one by one; see bench/bench_training_sweep.py).
    # A failed sweep leaves nothing and the next run records the day's reminders, as remind() is idempotent.
    with transaction.atomic():
        return _training_due(today=today)


def _training_due(*, today: datetime.date) -> int:
    _ensure_defaults_everywhere()
    items: list[dict] = []
    own_url = reverse("curriculum:my_training")
    matrix_url = reverse("curriculum:matrix")
    weekly: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for school_id, user, _roles, req, state, done, expires in training_states(today=today):
        if state in (State.DUE, State.EXPIRED, State.MISSING):
            weekly[school_id][state].add(user.pk)
        why = _person_reminder(today=today, state=state, expires=expires, done=done)
        if why is None:
            continue
        if why == "due":
            text = f"Your training “{req.name}” expires on {expires:%-d %B %Y}: please book it."
        elif why == "expired":
            text = f"Your training “{req.name}” expired on {expires:%-d %B %Y}: please renew it."
        else:
            text = f"You have no record of “{req.name}”: please complete it or upload your certificate."
        items.append(
            {
                "recipient_email": user.email,
                "recipient_user": user,
                "kind": "curriculum.training",
                "key": f"training:{school_id}:{req.pk}:{why}",
                "text": text,
                "url": own_url,
                "school_id": school_id,
            }
        )
    if today.weekday() == DIGEST_WEEKDAY and weekly:
        leads = (
            Membership.objects.current(on=today)
            .filter(school_id__in=list(weekly), role=Role.DSL, user__is_active=True)
            .select_related("user")
        )
        week = today.isocalendar()
        for m in leads:
            states = weekly[m.school_id]
            parts = [
                f"{len(states[s])} with {label}"
                for s, label in (
                    (State.EXPIRED, "expired training"),
                    (State.MISSING, "missing training"),
                    (State.DUE, "training due within 30 days"),
                )
                if states.get(s)
            ]
            items.append(
                {
                    "recipient_email": m.user.email,
                    "recipient_user": m.user,
                    "kind": "curriculum.training_digest",
                    "key": f"training-digest:{m.school_id}:{week.year}-W{week.week:02d}",
                    "text": "Staff training this week: " + "; ".join(parts) + ".",
                    "url": matrix_url,
                    "school_id": m.school_id,
                }
            )
    return remind_many(items, on=today)


@sweep("curriculum.policy_reviews", hour=6, minute=25)
def policy_reviews(*, today: datetime.date) -> int:
    """Policy reviews falling due: to the responsible officer (or the DSL and head when none is named)."""
    url = reverse("curriculum:policies")
    due = []
    for policy in Policy.objects.select_related("responsible"):
        days = (policy.next_review_due - today).days
        if days in POLICY_BEFORE_DAYS or (days < 0 and -days % OVERDUE_EVERY_DAYS == 0):
            due.append(policy)
    if not due:
        return 0
    fallback: dict[int, list] = defaultdict(list)
    for m in (
        Membership.objects.current(on=today)
        .filter(school_id__in={p.school_id for p in due}, role__in=[Role.DSL, Role.HEADTEACHER])
        .select_related("user")
    ):
        fallback[m.school_id].append(m.user)
    sent = 0
    for policy in due:
        state = review_state(policy, today=today)
        text = (
            f"Policy review overdue: “{policy.title}” was due on {policy.next_review_due:%-d %B %Y}."
            if state == "overdue"
            else f"Policy review due: “{policy.title}” by {policy.next_review_due:%-d %B %Y}."
        )
        for user in [policy.responsible] if policy.responsible else fallback[policy.school_id]:
            sent += remind(
                recipient_email=user.email,
                recipient_user=user,
                kind="curriculum.policy_review",
                key=f"policy:{policy.pk}:{policy.next_review_due.isoformat()}",
                text=text,
                url=url,
                on=today,
                school=policy.school,
            )
    return sent


@sweep("curriculum.gap_check", hour=6, minute=30)
def gap_check(*, today: datetime.date) -> int:
    """Safety net for the incident hook: check every school's term for runs of incidents."""
    return sum(len(gaps_check(school=school, on=today)) for school in School.objects.all())

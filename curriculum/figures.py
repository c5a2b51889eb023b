"""The training and curriculum figures every surface shows (home page, governor report, trust report), for
one school or a whole trust in the same few queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.reports.figures import (
    Column,
    Measure,
    as_percent,
    rag_percent,
    refresh_on,
    school_measures,
    trust_columns,
)

from .models import Gap, Policy, TrainingRecord, TrainingRequirement
from .register import review_state
from .reminders import training_states
from .training import State


@dataclass(frozen=True)
class Compliance:
    """Requirements held by the people who must hold them: current (or due soon, still valid) of required."""

    valid: int = 0
    required: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.valid / self.required) if self.required else None


def training_compliance(*, school_ids: Iterable[int], on: datetime.date) -> dict[int, Compliance]:
    ids = list(school_ids)
    valid: dict[int, int] = dict.fromkeys(ids, 0)
    required: dict[int, int] = dict.fromkeys(ids, 0)
    for school_id, _user, _roles, _req, state, _done, _expires in training_states(today=on, school_ids=ids):
        required[school_id] += 1
        if state in (State.CURRENT, State.DUE):
            valid[school_id] += 1
    return {sid: Compliance(valid[sid], required[sid]) for sid in ids}


def open_gaps(*, school_ids: Iterable[int]) -> dict[int, int]:
    """Curriculum gaps raised by incidents and not yet closed by a lesson."""
    ids = list(school_ids)
    rows = dict(
        Gap.objects.filter(school_id__in=ids, status=Gap.Status.OPEN)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {sid: rows.get(sid, 0) for sid in ids}


@trust_columns(order=30)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    compliance = training_compliance(school_ids=school_ids, on=today)
    gaps = open_gaps(school_ids=school_ids)
    return [
        Column(
            "training",
            "Training in date",
            {sid: as_percent(c.percent) for sid, c in compliance.items()},
            {sid: rag_percent(c.percent, amber=80) for sid, c in compliance.items()},
        ),
        Column(
            "open_gaps",
            "Open curriculum gaps",
            {sid: str(n) for sid, n in gaps.items()},
            {sid: "green" if not n else "amber" for sid, n in gaps.items()},
        ),
    ]


DSL_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL})
ROLE_GROUPS = ("staff", "dsl", "governor")


def group_of(roles) -> str:
    """The governor report's grouping of a requirement by whom it is for (curriculum.report)."""
    roles = set(roles)
    return "governor" if roles == {Role.GOVERNOR} else "dsl" if roles <= DSL_ROLES else "staff"


def training_by_role(*, school_ids: Iterable[int], on: datetime.date) -> dict[int, dict[str, Compliance]]:
    """Training compliance per group of roles (staff, DSL team, governors), from the same states."""
    ids = list(school_ids)
    counts = {sid: {g: [0, 0] for g in ROLE_GROUPS} for sid in ids}
    for school_id, _user, _roles, req, state, _done, _expires in training_states(today=on, school_ids=ids):
        bucket = counts[school_id][group_of(req.roles)]
        bucket[1] += 1
        if state in (State.CURRENT, State.DUE):
            bucket[0] += 1
    return {sid: {g: Compliance(*counts[sid][g]) for g in ROLE_GROUPS} for sid in ids}


def policies_overdue(*, school_ids: Iterable[int], on: datetime.date) -> dict[int, int]:
    """Policies in the register past their review date (curriculum.register.review_state)."""
    ids = list(school_ids)
    found = dict.fromkeys(ids, 0)
    for policy in Policy.objects.filter(school_id__in=ids).only(
        "school_id", "approved_on", "review_months", "review_by"
    ):
        if review_state(policy, today=on) == "overdue":
            found[policy.school_id] += 1
    return found


refresh_on(Gap, Policy, TrainingRecord, TrainingRequirement, Membership)


@school_measures(order=30)
def _measures(*, school_ids, start, end, today, previous) -> list[Measure]:
    compliance = training_compliance(school_ids=school_ids, on=today)
    by_role = training_by_role(school_ids=school_ids, on=today)
    gaps = open_gaps(school_ids=school_ids)
    overdue = policies_overdue(school_ids=school_ids, on=today)
    labels = {
        "staff": "Staff training in date",
        "dsl": "DSL team training in date",
        "governor": "Governor training in date",
    }
    return [
        Measure(
            "training",
            "Training in date",
            "Training",
            {s: c.percent for s, c in compliance.items()},
            kind="percent",
            higher_is_better=True,
            amber=95,
            red=80,
        ),
        *[
            Measure(
                f"training_{g}",
                labels[g],
                "Training",
                {s: by_role[s][g].percent for s in school_ids},
                kind="percent",
                higher_is_better=True,
                amber=95 if g != "dsl" else 100,
                red=80,
            )
            for g in ROLE_GROUPS
        ],
        Measure("policies_overdue", "Policy reviews overdue", "Policies and curriculum", overdue, amber=1, red=1),
        Measure("open_gaps", "Open curriculum gaps", "Policies and curriculum", gaps, amber=1, red=5),
    ]

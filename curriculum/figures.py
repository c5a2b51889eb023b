"""The training and curriculum figures every surface shows (home page, governor report, trust report), for
one school or a whole trust in the same few queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from safeguarding_portal.reports.figures import Column, as_percent, rag_percent, trust_columns

from .models import Gap
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
    rows = dict(Gap.objects.filter(school_id__in=ids, status=Gap.Status.OPEN).values_list("school_id")
                .annotate(n=Count("pk")).order_by())
    return {sid: rows.get(sid, 0) for sid in ids}


@trust_columns(order=30)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    compliance = training_compliance(school_ids=school_ids, on=today)
    gaps = open_gaps(school_ids=school_ids)
    return [
        Column("training", "Training in date", {sid: as_percent(c.percent) for sid, c in compliance.items()},
               {sid: rag_percent(c.percent, amber=80) for sid, c in compliance.items()}),
        Column("open_gaps", "Open curriculum gaps", {sid: str(n) for sid, n in gaps.items()},
               {sid: "green" if not n else "amber" for sid, n in gaps.items()}),
    ]

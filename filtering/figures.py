"""The filtering figures every surface shows (home page, governor report, trust report), for one school or a
whole trust in one grouped query. Requests identify no child: none of these is a "fewer than 3" count."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from safeguarding_portal.reports.figures import Column, Measure, refresh_on, school_measures, trust_columns

from .models import ChangeRequest, FilterCheck, FilterReview, ReviewKind, State
from .selectors import review_due_state


@dataclass(frozen=True)
class RequestFigures:
    awaiting: int = 0  # awaiting a senior leader's decision
    to_apply: int = 0  # approved, not yet applied by the technician
    past_expiry: int = 0  # temporary allows still applied after their expiry date
    requested: int = 0  # requests made in the period
    approved: int = 0  # approved in the period
    rejected: int = 0
    refused: int = 0  # refused outright (protected lists)
    applied: int = 0
    reverted: int = 0


def request_figures(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date, today: datetime.date
) -> dict[int, RequestFigures]:
    ids = list(school_ids)
    decided = Q(decided_at__date__gte=start, decided_at__date__lte=end)
    rows = (
        ChangeRequest.objects.filter(school_id__in=ids)
        .values("school_id")
        .annotate(
            awaiting=Count("pk", filter=Q(state=State.REQUESTED)),
            to_apply=Count("pk", filter=Q(state=State.APPROVED)),
            past_expiry=Count("pk", filter=Q(state=State.APPLIED, expires_on__isnull=False, expires_on__lt=today)),
            requested=Count("pk", filter=Q(requested_at__date__gte=start, requested_at__date__lte=end)),
            approved=Count("pk", filter=decided & Q(state__in=[State.APPROVED, State.APPLIED, State.REVERTED])),
            rejected=Count("pk", filter=decided & Q(state=State.REJECTED)),
            refused=Count("pk", filter=decided & Q(state=State.REFUSED)),
            applied=Count("pk", filter=Q(applied_at__date__gte=start, applied_at__date__lte=end)),
            reverted=Count("pk", filter=Q(reverted_at__date__gte=start, reverted_at__date__lte=end)),
        )
        .order_by()
    )
    found = {r.pop("school_id"): r for r in rows}
    return {sid: RequestFigures(**found.get(sid, {})) for sid in ids}


@trust_columns(order=40)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    figures = request_figures(school_ids=school_ids, start=start, end=end, today=today)
    return [
        Column(
            "filtering_awaiting",
            "Filtering changes awaiting approval",
            {sid: str(f.awaiting) for sid, f in figures.items()},
            {sid: "" for sid in figures},
        ),
        Column(
            "allows_past_expiry",
            "Allows past expiry",
            {sid: str(f.past_expiry) for sid, f in figures.items()},
            {sid: "red" if f.past_expiry else "green" for sid, f in figures.items()},
        ),
    ]


@dataclass(frozen=True)
class CheckFigures:
    checks: int = 0  # filtering checks recorded in the period
    failed: int = 0
    review_due: datetime.date | None = None  # the next annual review (None: never held)
    review_state: str = "red"  # red (overdue or never held), amber (within a month), green


def check_figures(
    *, school_ids: Iterable[int], start: datetime.date, end: datetime.date, today: datetime.date
) -> dict[int, CheckFigures]:
    ids = list(school_ids)
    checks = {
        r.pop("school_id"): r
        for r in FilterCheck.objects.filter(school_id__in=ids, checked_on__gte=start, checked_on__lte=end)
        .values("school_id")
        .annotate(checks=Count("pk"), failed=Count("pk", filter=Q(passed=False)))
        .order_by()
    }
    last = dict(
        FilterReview.objects.filter(school_id__in=ids, kind=ReviewKind.ANNUAL)
        .values_list("school_id")
        .annotate(last=Max("held_on"))
        .order_by()
    )
    found = {}
    for sid in ids:
        due, state = review_due_state(last_held_on=last.get(sid), today=today)
        found[sid] = CheckFigures(**checks.get(sid, {}), review_due=due, review_state=state)
    return found


refresh_on(ChangeRequest, FilterCheck, FilterReview)

# The annual review's state as a number the thresholds can judge: 0 in date, 1 due within a month, 2 overdue.
REVIEW_LEVEL = {"green": 0, "amber": 1, "red": 2}


@school_measures(order=40)
def _measures(*, school_ids, start, end, today, previous) -> list[Measure]:
    figures = request_figures(school_ids=school_ids, start=start, end=end, today=today)
    checks = check_figures(school_ids=school_ids, start=start, end=end, today=today)
    area = "Filtering"
    return [
        Measure(
            "filtering_awaiting",
            "Filtering changes awaiting approval",
            area,
            {s: f.awaiting for s, f in figures.items()},
            amber=1,
            red=5,
        ),
        Measure(
            "allows_past_expiry",
            "Allows past expiry",
            area,
            {s: f.past_expiry for s, f in figures.items()},
            amber=1,
            red=1,
        ),
        Measure(
            "filter_checks",
            "Filtering checks this period",
            area,
            {s: c.checks for s, c in checks.items()},
            higher_is_better=True,
            amber=2,
            red=1,
            note={s: f"{c.failed} failed" if c.failed else "" for s, c in checks.items()},
        ),
        Measure(
            "annual_review",
            "Annual filtering review",
            area,
            {s: REVIEW_LEVEL[c.review_state] for s, c in checks.items()},
            kind="state",
            amber=1,
            red=2,
            note={s: (f"due {c.review_due:%-d %b %Y}" if c.review_due else "never held") for s, c in checks.items()},
        ),
    ]

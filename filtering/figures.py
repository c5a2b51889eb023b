"""The filtering figures every surface shows (home page, governor report, trust report), for one school or a
whole trust in one grouped query. Requests identify no child: none of these is a "fewer than 3" count."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from safeguarding_portal.reports.figures import Column, trust_columns

from .models import ChangeRequest, State


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


def request_figures(*, school_ids: Iterable[int], start: datetime.date, end: datetime.date,
                    today: datetime.date) -> dict[int, RequestFigures]:
    ids = list(school_ids)
    decided = Q(decided_at__date__gte=start, decided_at__date__lte=end)
    rows = ChangeRequest.objects.filter(school_id__in=ids).values("school_id").annotate(
        awaiting=Count("pk", filter=Q(state=State.REQUESTED)),
        to_apply=Count("pk", filter=Q(state=State.APPROVED)),
        past_expiry=Count("pk", filter=Q(state=State.APPLIED, expires_on__isnull=False, expires_on__lt=today)),
        requested=Count("pk", filter=Q(requested_at__date__gte=start, requested_at__date__lte=end)),
        approved=Count("pk", filter=decided & Q(state__in=[State.APPROVED, State.APPLIED, State.REVERTED])),
        rejected=Count("pk", filter=decided & Q(state=State.REJECTED)),
        refused=Count("pk", filter=decided & Q(state=State.REFUSED)),
        applied=Count("pk", filter=Q(applied_at__date__gte=start, applied_at__date__lte=end)),
        reverted=Count("pk", filter=Q(reverted_at__date__gte=start, reverted_at__date__lte=end)),
    ).order_by()
    found = {r.pop("school_id"): r for r in rows}
    return {sid: RequestFigures(**found.get(sid, {})) for sid in ids}


@trust_columns(order=40)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    figures = request_figures(school_ids=school_ids, start=start, end=end, today=today)
    return [
        Column("filtering_awaiting", "Filtering changes awaiting approval",
               {sid: str(f.awaiting) for sid, f in figures.items()}, {sid: "" for sid in figures}),
        Column("allows_past_expiry", "Allows past expiry", {sid: str(f.past_expiry) for sid, f in figures.items()},
               {sid: "red" if f.past_expiry else "green" for sid, f in figures.items()}),
    ]

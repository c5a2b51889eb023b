"""The concerns figures every surface shows (home page, governor report, trust report): one place that
counts them, for one school or a whole trust in the same few grouped queries.

Only pupils' concerns (the DSL route) are counted, as everywhere a figure leaves the DSL team; allegations
about staff are one separate count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q

from safeguarding_portal.core.dates import day_bounds

from .models import EntryKind, Incident, Route, TimelineEntry

ACK_TARGET_HOURS = 24


@dataclass(frozen=True)
class ConcernFigures:
    total: int = 0  # pupils' concerns reported in the period
    urgent: int = 0
    acknowledged_in_time: int = 0  # within ACK_TARGET_HOURS of being reported
    open_at_end: int = 0  # reported before the period ended and not closed by then
    referrals: int = 0  # referrals to agencies recorded in the period
    allegations: int = 0  # allegations about staff reported in the period

    @property
    def ack_percent(self) -> int | None:
        return round(100 * self.acknowledged_in_time / self.total) if self.total else None


def concern_figures(*, school_ids: Iterable[int], start: datetime.date, end: datetime.date
                    ) -> dict[int, ConcernFigures]:
    ids = list(school_ids)
    t_from, t_to = day_bounds(start, end)
    in_period = Q(reported_at__gte=t_from, reported_at__lt=t_to)
    dsl = Q(route=Route.DSL)
    deadline = ExpressionWrapper(F("reported_at") + datetime.timedelta(hours=ACK_TARGET_HOURS),
                                 output_field=DateTimeField())
    rows = (
        Incident.objects.filter(school_id__in=ids).values("school_id").annotate(
            total=Count("pk", filter=dsl & in_period),
            urgent=Count("pk", filter=dsl & in_period & Q(immediate_risk=True)),
            acknowledged_in_time=Count("pk", filter=dsl & in_period & Q(acknowledged_at__isnull=False,
                                                                        acknowledged_at__lte=deadline)),
            open_at_end=Count("pk", filter=dsl & Q(reported_at__lt=t_to)
                              & (Q(closed_at__isnull=True) | Q(closed_at__gte=t_to))),
            allegations=Count("pk", filter=~dsl & in_period),
        ).order_by()
    )
    referrals = dict(
        TimelineEntry.objects.filter(school_id__in=ids, kind=EntryKind.REFERRAL, incident__route=Route.DSL,
                                     at__gte=t_from, at__lt=t_to)
        .values_list("school_id").annotate(n=Count("pk")).order_by()
    )
    found = {r.pop("school_id"): r for r in rows}
    return {
        sid: ConcernFigures(**found.get(sid, {}), referrals=referrals.get(sid, 0)) for sid in ids
    }

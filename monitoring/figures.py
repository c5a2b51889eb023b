"""The monitoring figures every surface shows (governor report, trust report, the figures page), for one
school or a whole trust in a fixed number of queries. Counts of alerts and times, never a pupil: nothing here
identifies a child."""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from safeguarding_portal.reports.figures import Column, Measure, as_percent, refresh_on, school_measures, trust_columns
from safeguarding_portal.reports.privacy import small_count

from .models import OPEN_STATES, MonitoringAlert, Outcome, Severity, Vendor
from .services import pickup_minutes


@dataclass(frozen=True)
class AlertFigures:
    received: int = 0  # alerts received in the period (repeats folded in count once)
    by_severity: dict[str, int] = field(default_factory=dict)  # Severity label -> alerts
    by_vendor: dict[str, int] = field(default_factory=dict)  # Vendor label -> alerts
    picked_up: int = 0
    pickup_median_minutes: float | None = None
    pickup_p90_minutes: float | None = None
    decided: int = 0
    escalated: int = 0
    false_positives: int = 0
    still_open: int = 0  # of those received in the period, open now
    critical_late: int = 0  # critical ones picked up later than MONITORING_PICKUP_MINUTES (or not yet)

    @property
    def share_escalated(self) -> int | None:
        return round(100 * self.escalated / self.decided) if self.decided else None

    @property
    def false_positive_rate(self) -> int | None:
        return round(100 * self.false_positives / self.decided) if self.decided else None


def _percentile(ordered: list[float], p: float) -> float:
    # Nearest rank: a time somebody actually waited, never an interpolated one.
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def alert_figures(*, school_ids: Iterable[int], start: datetime.date, end: datetime.date) -> dict[int, AlertFigures]:
    ids = list(school_ids)
    period = MonitoringAlert.objects.filter(school_id__in=ids, received_at__date__gte=start, received_at__date__lte=end)
    counts: dict[int, dict] = defaultdict(lambda: {"sev": defaultdict(int), "ven": defaultdict(int)})
    for sid, severity, vendor, n in (
        period.values_list("school_id", "severity", "vendor").annotate(n=Count("pk")).order_by()
    ):
        counts[sid]["sev"][severity] += n
        counts[sid]["ven"][vendor] += n
    totals = {
        r.pop("school_id"): r
        for r in period.values("school_id")
        .annotate(
            decided=Count("pk", filter=~Q(outcome="")),
            escalated=Count("pk", filter=Q(outcome=Outcome.ESCALATED)),
            false_positives=Count("pk", filter=Q(outcome=Outcome.FALSE_POSITIVE)),
            still_open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        )
        .order_by()
    }
    waits: dict[int, list[float]] = defaultdict(list)
    late: dict[int, int] = defaultdict(int)
    limit = datetime.timedelta(minutes=pickup_minutes())
    for sid, severity, wait in (
        period.filter(picked_up_at__isnull=False)
        .annotate(wait=F("picked_up_at") - F("received_at"))
        .values_list("school_id", "severity", "wait")
        .iterator()
    ):
        waits[sid].append(wait.total_seconds() / 60)
        if severity == Severity.CRITICAL and wait > limit:
            late[sid] += 1
    for sid in period.filter(severity=Severity.CRITICAL, picked_up_at__isnull=True).values_list("school_id", flat=True):
        late[sid] += 1
    found = {}
    for sid in ids:
        c, t, w = counts.get(sid), totals.get(sid, {}), sorted(waits.get(sid, []))
        found[sid] = AlertFigures(
            received=sum(c["sev"].values()) if c else 0,
            by_severity={label: (c["sev"].get(v, 0) if c else 0) for v, label in Severity.choices},
            by_vendor={label: c["ven"][v] for v, label in Vendor.choices if c and c["ven"].get(v)},
            picked_up=len(w),
            pickup_median_minutes=round(statistics.median(w), 1) if w else None,
            pickup_p90_minutes=round(_percentile(w, 0.9), 1) if w else None,
            critical_late=late.get(sid, 0),
            **t,
        )
    return found


def minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} min" if value >= 10 else f"{value:.1f} min"


@trust_columns(order=50)
def _trust(*, school_ids, start, end, today) -> list[Column]:
    figures = alert_figures(school_ids=school_ids, start=start, end=end)
    return [
        # Alerts are about children: one or two show as "fewer than 3", as on the dashboard.
        Column(
            "monitoring_alerts",
            "Monitoring alerts",
            {sid: str(small_count(f.received)) for sid, f in figures.items()},
            {sid: "" for sid in figures},
        ),
        Column(
            "monitoring_pickup",
            "Monitoring alerts: median time to pick up",
            {sid: minutes(f.pickup_median_minutes) for sid, f in figures.items()},
            {sid: "red" if f.critical_late else ("green" if f.picked_up else "") for sid, f in figures.items()},
        ),
        Column(
            "monitoring_escalated",
            "Monitoring alerts escalated",
            {sid: as_percent(f.share_escalated) for sid, f in figures.items()},
            {sid: "" for sid in figures},
        ),
    ]


@school_measures(order=50)
def _measures(*, school_ids, start, end, today, previous) -> list[Measure]:
    """The trust dashboard's monitoring cells, from the same figures as the governor and trust reports."""
    figures = alert_figures(school_ids=school_ids, start=start, end=end)
    return [
        # Alerts are about children: a count of one or two shows as "fewer than 3". How many arrive is the
        # product's doing, so it has no red of its own; what the team did about them does.
        Measure(
            "monitoring_alerts",
            "Monitoring alerts",
            "Monitoring",
            {s: f.received for s, f in figures.items()},
            child=True,
            amber=10_000,
            red=10_000,
        ),
        Measure(
            "monitoring_pickup",
            "Time to pick up alerts (median, minutes)",
            "Monitoring",
            {
                s: (None if f.pickup_median_minutes is None else round(f.pickup_median_minutes))
                for s, f in figures.items()
            },
            amber=15,
            red=60,
        ),
        Measure(
            "monitoring_critical_late",
            "Critical alerts not picked up in time",
            "Monitoring",
            {s: f.critical_late for s, f in figures.items()},
            child=True,
            amber=1,
            red=1,
        ),
    ]


refresh_on(MonitoringAlert)

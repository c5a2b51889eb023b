"""Reads for monitoring alerts: the DSL team's queue, one alert, the counts others see, the chronology.

The queue is one indexed, limited query plus one grouped count, however many alerts the school has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Lower

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core.ids import as_id
from safeguarding_portal.schools.models import YearGroup

from .models import OPEN_STATES, AlertEvent, MonitoringAlert, Severity, State, Vendor

PAGE_SIZE = 50
STATE_FILTERS = {
    "open": list(OPEN_STATES),
    "new": [State.NEW],
    "reviewed": [State.REVIEWED],
    "escalated": [State.ESCALATED],
    "closed": [State.CLOSED],
    "all": None,
}


def sees_alerts(portal) -> bool:
    return portal.school is not None and portal.can(Cap.TRIAGE_ALERTS)


def alert_for(*, portal, alert_id: int) -> MonitoringAlert | None:
    if not sees_alerts(portal):
        return None
    return (
        MonitoringAlert.objects.filter(school=portal.school, pk=alert_id)
        .select_related("pupil", "picked_up_by", "decided_by", "incident", "message", "school")
        .first()
    )


@dataclass
class QueueFilters:
    state: str = "open"
    severity: str = ""
    vendor: str = ""
    year_group: str = ""
    pupil: int | None = None
    unmatched: bool = False
    before: int | None = None  # keyset: alerts older than this id

    @classmethod
    def from_query(cls, query) -> QueueFilters:
        def as_int(name: str) -> int | None:
            return as_id(query.get(name, ""))

        state = query.get("state", "open")
        return cls(
            state=state if state in STATE_FILTERS else "open",
            severity=query.get("severity", "") if query.get("severity", "") in Severity.values else "",
            vendor=query.get("vendor", "") if query.get("vendor", "") in Vendor.values else "",
            year_group=query.get("year", "") if query.get("year", "") in YearGroup.values else "",
            pupil=as_int("pupil"),
            unmatched=query.get("unmatched") == "1",
            before=as_int("before"),
        )

    def as_query(self, **change) -> str:
        values = {
            "state": self.state,
            "severity": self.severity,
            "vendor": self.vendor,
            "year": self.year_group,
            "pupil": self.pupil or "",
            "unmatched": "1" if self.unmatched else "",
            "before": "",
        }
        values.update(change)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _filtered(*, school, filters: QueueFilters) -> QuerySet[MonitoringAlert]:
    qs = MonitoringAlert.objects.filter(school=school)
    states = STATE_FILTERS[filters.state]
    if states is not None:
        qs = qs.filter(state__in=states)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.vendor:
        qs = qs.filter(vendor=filters.vendor)
    if filters.year_group:
        qs = qs.filter(pupil__year_group=filters.year_group)
    if filters.pupil:
        qs = qs.filter(pupil_id=filters.pupil)
    if filters.unmatched:
        qs = qs.filter(pupil__isnull=True)
    return qs


@dataclass
class Queue:
    alerts: list[MonitoringAlert]
    next_before: int | None
    counts: dict[str, int]  # open alerts by severity, and "new" / "open"
    filters: QueueFilters


def queue(*, portal, filters: QueueFilters) -> Queue:
    """Newest first, PAGE_SIZE at a time (keyset on the id: no OFFSET scan at 100,000 alerts)."""
    qs = _filtered(school=portal.school, filters=filters)
    if filters.before:
        qs = qs.filter(pk__lt=filters.before)
    rows = list(qs.select_related("pupil").order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Queue(
        alerts=rows,
        next_before=rows[-1].pk if more else None,
        counts=open_counts(school=portal.school),
        filters=filters,
    )


def open_counts(*, school) -> dict[str, int]:
    """Open alerts by severity plus new and open totals: one grouped query on the state index."""
    counts = {s: 0 for s in Severity.values} | {"new": 0, "open": 0}
    for state, severity, n in (
        MonitoringAlert.objects.filter(school=school, state__in=OPEN_STATES)
        .values_list("state", "severity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[severity] += n
        counts["open"] += n
        if state == State.NEW:
            counts["new"] += n
    return counts


def counts_for_technicians(*, school) -> dict:
    """What a technician (or the head) sees: how many, never which pupil or what was captured."""
    rows = MonitoringAlert.objects.filter(school=school).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        critical_open=Count("pk", filter=Q(state__in=OPEN_STATES, severity=Severity.CRITICAL)),
        unmatched=Count("pk", filter=Q(pupil__isnull=True)),
    )
    by_vendor = dict(
        MonitoringAlert.objects.filter(school=school).values_list("vendor").annotate(n=Count("pk")).order_by()
    )
    return {**rows, "by_vendor": [(label, by_vendor.get(v, 0)) for v, label in Vendor.choices if by_vendor.get(v)]}


def disposed_of(alert: MonitoringAlert) -> Any:
    """The alert's tombstone if it was disposed of under the retention schedule (monitoring.disposal), else None."""
    from safeguarding_portal.retention.models import Tombstone

    return Tombstone.objects.filter(record_table=MonitoringAlert._meta.db_table, record_id=alert.pk).first()


def events_for(alert: MonitoringAlert) -> list[AlertEvent]:
    return list(alert.events.select_related("author").order_by("seq"))


def unmatched_names(*, school, limit: int = 200) -> list[dict]:
    """User names on alerts that match no pupil, with how many alerts wait on each."""
    return list(
        MonitoringAlert.objects.filter(school=school, pupil__isnull=True)
        .exclude(username="", user_email="")
        .annotate(name=Lower("username"))
        .values("name", "vendor")
        .annotate(n=Count("pk"), last=Max("received_at"))
        .order_by("-last")[:limit]
    )


def chronology_section(*, portal, pupil) -> dict | None:
    """Registered with incidents.chronology: the pupil's alerts beside their cases, for the DSL team only."""
    if not sees_alerts(portal) or pupil.school_id != portal.school.pk:
        return None
    alerts = list(
        MonitoringAlert.objects.filter(school=portal.school, pupil=pupil)
        .select_related("incident")
        .order_by("activity_at", "pk")
    )
    return {"template": "monitoring/_chronology.html", "alerts": alerts}


def bundle_records(*, school, pupil) -> list[dict]:
    """Registered with incidents.bundles: the pupil's alerts and each one's chained events, for a transfer bundle.
    The alert row itself is not chained (its capture is frozen by triggers); its events are."""
    from incidents.bundles import item

    from .models import AlertEvent

    alerts = list(MonitoringAlert.objects.filter(school=school, pupil=pupil).order_by("activity_at", "pk"))
    events: dict[int, list[AlertEvent]] = {}
    for event in AlertEvent.objects.filter(alert__in=[a.pk for a in alerts]).order_by("at", "pk"):
        events.setdefault(event.alert_id, []).append(event)
    out = []
    for a in alerts:
        out.append(
            item(
                "monitoring_alert",
                a.pk,
                {
                    "reference": a.reference,
                    "vendor": a.get_vendor_display(),
                    "channel": a.get_channel_display(),
                    "rule": a.rule,
                    "severity": a.get_severity_display(),
                    "activity_at": a.activity_at,
                    "received_at": a.received_at,
                    "device": a.device,
                    "captured_text": a.captured_text,
                    "imagery_withheld": a.imagery_withheld,
                    "state": a.get_state_display(),
                    "outcome": a.get_outcome_display() if a.outcome else "",
                    "repeat_count": a.repeat_count,
                    "case": a.incident.reference if a.incident else "",
                },
            )
        )
        for e in events.get(a.pk, []):
            out.append(
                item(
                    "alert_event",
                    e.pk,
                    {
                        "alert_id": a.pk,
                        "alert": a.reference,
                        "kind": e.get_kind_display(),
                        "at": e.at,
                        "author": e.author_name,
                        "text": e.text,
                    },
                    e,
                )
            )
    return out

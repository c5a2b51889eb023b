"""The monitoring section of the governors' termly report (rendered by the reports app).

Figures only (monitoring.figures): alerts by severity and product, times to pick up, the share escalated and
the false-positive rate. Nothing names or describes a child, not even a rule with a count of one.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.core.words import counted
from safeguarding_portal.reports.sections import Section

from .figures import alert_figures, minutes
from .models import MonitoringAlert
from .services import pickup_minutes


def governor_section(*, school, start: datetime.date, end: datetime.date) -> dict:
    f = alert_figures(school_ids=[school.pk], start=start, end=end)[school.pk]
    last = (
        MonitoringAlert.objects.filter(school=school, received_at__date__lte=end)
        .order_by("-received_at")
        .only("received_at")
        .first()
    )
    limit = pickup_minutes()

    def rag(bad: bool, warn: bool = False) -> str:
        return "red" if bad else ("amber" if warn else "green")

    summary = [
        {"label": "Monitoring alerts received", "value": f.received, "rag": rag(False, f.received == 0)},
        {
            "label": "Median time to pick up",
            "value": minutes(f.pickup_median_minutes),
            "rag": rag(f.pickup_median_minutes is not None and f.pickup_median_minutes > limit),
        },
        {
            "label": "90th percentile time to pick up",
            "value": minutes(f.pickup_p90_minutes),
            "rag": rag(False, f.pickup_p90_minutes is not None and f.pickup_p90_minutes > limit),
        },
        {"label": "Critical alerts not picked up in time", "value": f.critical_late, "rag": rag(f.critical_late > 0)},
        {
            "label": "Escalated to a case",
            "value": "—" if f.share_escalated is None else f"{f.share_escalated}%",
            "rag": "green",
        },
        {
            "label": "False positives",
            "value": "—" if f.false_positive_rate is None else f"{f.false_positive_rate}%",
            "rag": rag(False, (f.false_positive_rate or 0) > 50),
        },
        {"label": "Still open", "value": f.still_open, "rag": rag(False, f.still_open > 0)},
    ]
    evidence = [
        {
            "standard": "fm.monitor",
            "what": (
                f"{counted(f.received, 'monitoring alert')} received in one timed queue; median time to pick up "
                f"{minutes(f.pickup_median_minutes)} (90th percentile {minutes(f.pickup_p90_minutes)}); "
                f"{counted(f.decided, 'alert')} decided with a recorded outcome, "
                f"{counted(f.escalated, 'escalated to a case', 'escalated to a case')}"
            )
            if f.received
            else "No monitoring alerts recorded in the portal in the period",
            "date": timezone.localdate(last.received_at) if last else None,
            "ok": f.received > 0 and f.critical_late == 0,
        }
    ]
    actions = []
    if f.received == 0:
        actions.append("Ask how the monitoring product's alerts reach the DSL team, and connect it to the portal.")
    if f.critical_late:
        actions.append(
            f"Ask why {counted(f.critical_late, 'critical alert')} "
            f"{'was' if f.critical_late == 1 else 'were'} not picked up within {limit} minutes."
        )
    if f.false_positive_rate is not None and f.false_positive_rate > 50:
        actions.append("Ask the IT provider to tune the monitoring product: most alerts were false positives.")
    return {
        "title": "Monitoring alerts",
        "anchor": "monitoring",
        "template": "monitoring/_governor_section.html",
        "summary": summary,
        "evidence": evidence,
        "actions": actions,
        "figures": f,
        "pickup_limit": limit,
        "start": start,
        "end": end,
    }


# The report's section, in its place among the others (reports.sections).
plugins.register(
    "report_section",
    "monitoring",
    Section(
        "Monitoring alerts",
        "monitoring",
        ("fm.monitor",),
        "the monitoring product's alerts and what the DSL team did about each",
        build=governor_section,
    ),
    order=50,
)

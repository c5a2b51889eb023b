"""The monitoring alerts about a pupil, for a subject access request (sar.sources): what the product captured,
for the DSL team, who alone reads alerts."""

from __future__ import annotations

from sar.sources import Record, Subject, source, text_passages

from .models import MonitoringAlert
from .selectors import sees_alerts


@source("monitoring.alerts", label="Monitoring alerts", order=30)
def alerts(*, portal, subject: Subject) -> list[Record]:
    if not subject.is_pupil or not sees_alerts(portal):
        return []
    found = (
        MonitoringAlert.objects.filter(school=portal.school, pupil=subject.pupil)
        .select_related("incident")
        .order_by("activity_at", "pk")
    )
    records = []
    for alert in found:
        prefix = f"monitoring.alert:{alert.pk}"
        outcome = alert.get_outcome_display() if alert.outcome else alert.get_state_display()
        records.append(
            Record(
                prefix,
                f"{alert.get_vendor_display()} alert: {alert.rule}",
                alert.activity_at,
                text_passages(
                    prefix,
                    [
                        ("captured", "What was captured", alert.captured_text),
                        ("device", "Device", alert.device),
                        (
                            "outcome",
                            "Outcome",
                            outcome + (f" (case {alert.incident.reference})" if alert.incident else ""),
                        ),
                    ],
                ),
            )
        )
    return records

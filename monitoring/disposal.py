"""Disposing of monitoring alerts under the retention schedule (``safeguarding_portal/retention/disposal.py`` has
the design: the sweep, holds, four eyes, tombstones).

An alert is the unit. It is due two years (the school's period) after it was received, once triaged (an alert still
open is a concern nobody has looked at: it waits). An alert raised as a concern (``incident`` set) is never listed:
it is kept with the case, under the case's own period. Disposal blanks what the monitoring product captured (the
text, the screenshot, deleted from storage once the transaction commits, the device and the user name and address
it reported) and unlinks the pupil, so the alert no longer names a child; every event of its story keeps its kind,
author and time but not its text or details (a closing event keeps its outcome, which the alert's projection is
checked against, like a case's status). The forwarded email it came in, if no alert still kept came in the same
email, loses its subject and body. Each blanked row gets its tombstone first; the vendor, rule, severities, state,
outcome and times stay, so the governors' figures and the annual review still count the alert.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction

from safeguarding_portal.retention.registry import Due

from .models import OPEN_STATES, AlertEvent, EventKind, InboundMessage, MonitoringAlert

ALERT_BLANKED = {"device": "", "username": "", "user_email": "", "captured_text": "", "screenshot": ""}
MESSAGE_BLANKED = {"subject": "", "raw": b""}


class AlertDisposal:
    """``retention.registry.Disposal`` for monitoring alerts (``monitoring.alerts``)."""

    def due(
        self, *, school_ids: list[int], years: int, today: datetime.date, excluded: Iterable[Any], held_pupils: Any
    ) -> Iterable[Due]:
        from safeguarding_portal.retention.disposal import years_after, years_before

        if not school_ids:
            return []
        alerts = (
            MonitoringAlert.objects.filter(
                school_id__in=school_ids,
                incident__isnull=True,
                received_at__date__lte=years_before(today, years),
            )
            .exclude(state__in=OPEN_STATES)
            .exclude(pupil_id__in=held_pupils)
        )
        for ids in excluded:
            alerts = alerts.exclude(pk__in=ids)
        rows = alerts.order_by().values_list("school_id", "pk", "received_at")
        return [
            Due(
                school_id=sid,
                record_id=pk,
                label=f"MON-{pk}",
                made_at=received_at,
                due_on=years_after(received_at.date(), years),
            )
            for sid, pk, received_at in rows.iterator(chunk_size=5000)
        ]

    def pupils_of(self, *, record_ids: list[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for pk, pupil_id in MonitoringAlert.objects.filter(pk__in=record_ids, pupil__isnull=False).values_list(
            "pk", "pupil_id"
        ):
            found[pk].add(pupil_id)
        return found

    def find(self, *, school, label: str) -> int | None:
        number = label.strip().upper().removeprefix("MON-")
        if not number.isdigit():
            return None
        return MonitoringAlert.objects.filter(school=school, pk=int(number)).values_list("pk", flat=True).first()

    def dispose(self, *, school, record_id: int, tombstone: Callable[..., Any]) -> int:
        from safeguarding_portal.retention.disposal import blank, residue_of
        from safeguarding_portal.retention.models import Tombstone

        alert = MonitoringAlert.objects.get(pk=record_id, school=school)
        if alert.incident_id is not None:  # raised as a concern after the sweep listed it: kept with the case
            return 0
        rows = 0
        for event in AlertEvent.objects.filter(alert=alert).order_by("seq"):
            kept = (
                {"outcome": event.data["outcome"]} if event.kind == EventKind.CLOSED and "outcome" in event.data else {}
            )
            values = {"text": "", "data": kept}
            tombstone(event, residue=residue_of(event, values), made_at=event.at)
            blank(event, values)
            rows += 1
        message = alert.message
        if (
            message is not None
            and not Tombstone.objects.filter(record_table=InboundMessage._meta.db_table, record_id=message.pk).exists()
            and not MonitoringAlert.objects.filter(message=message)
            .exclude(pk=alert.pk)
            .exclude(pk__in=Tombstone.objects.filter(record_table=MonitoringAlert._meta.db_table).values("record_id"))
            .exists()
        ):
            tombstone(message, made_at=message.received_at)
            blank(message, MESSAGE_BLANKED)
            rows += 1
        screenshot = alert.screenshot.name
        storage = alert.screenshot.storage
        tombstone(alert, made_at=alert.received_at)
        blank(alert, ALERT_BLANKED)
        # A projection column, not what arrived: the services write it, and the events (blanked above) agree.
        MonitoringAlert.objects.filter(pk=alert.pk).update(pupil=None)
        if screenshot:
            # Once the blanking has committed: a rolled-back disposal keeps its file.
            transaction.on_commit(partial(storage.delete, screenshot))
        return rows + 1

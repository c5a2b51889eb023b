"""The alert columns the queue filters on, recomputed from each alert's hash-chained events (verify_chains)."""

from __future__ import annotations

from collections.abc import Iterator

from safeguarding_portal.audit import projections
from safeguarding_portal.audit.projections import Mismatch

from .models import AlertEvent, EventKind, MonitoringAlert, Outcome, State


def from_events() -> dict[int, dict]:
    found: dict[int, dict] = {}
    rows = (
        AlertEvent.objects.order_by("alert_id", "seq").values_list("alert_id", "kind", "data").iterator(chunk_size=5000)
    )
    for alert_id, kind, data in rows:
        s = found.setdefault(alert_id, {"state": State.NEW, "outcome": "", "pupil": None, "repeat_count": 1})
        if kind == EventKind.RECEIVED or kind == EventKind.PUPIL_MATCHED:
            s["pupil"] = data.get("pupil")
        elif kind == EventKind.REPEATED:
            s["repeat_count"] += 1
        elif kind == EventKind.PICKED_UP and s["state"] == State.NEW:
            s["state"] = State.REVIEWED
        elif kind == EventKind.CLOSED:
            s["state"], s["outcome"] = State.CLOSED, data.get("outcome", "")
        elif kind == EventKind.ESCALATED:
            s["state"], s["outcome"] = State.ESCALATED, Outcome.ESCALATED
    return found


def check() -> Iterator[Mismatch]:
    expected = from_events()
    for pk, state, outcome, pupil, repeats in (
        MonitoringAlert.objects.order_by("pk")
        .values_list("pk", "state", "outcome", "pupil_id", "repeat_count")
        .iterator(chunk_size=5000)
    ):
        want = expected.get(pk)
        if want is None:
            yield Mismatch(f"monitoring alert MON-{pk}", "events", "none", "a received event")
            continue
        for name, stored in (("state", state), ("outcome", outcome), ("pupil", pupil), ("repeat_count", repeats)):
            if stored != want[name]:
                yield Mismatch(f"monitoring alert MON-{pk}", name, stored, want[name])


# verify_chains runs it after the chains themselves (audit.projections, kind projection_check).
projections.register(
    "monitoring.alerts",
    label="monitoring alerts' state, outcome, pupil and count",
    agrees_with="their events",
    run=check,
    order=30,
)

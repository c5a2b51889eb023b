"""How long the portal keeps monitoring alerts by default (safeguarding_portal.retention)."""

from safeguarding_portal.retention.registry import RecordKind, Trigger, register

from .disposal import AlertDisposal

# No guidance sets a period for monitoring alerts. An alert that became a concern lives on in the child
# protection record; the rest are kept two years, so the annual review the DfE filtering and monitoring
# standards ask for can compare this year with last.
register(
    RecordKind(
        name="monitoring.alerts",
        label="Monitoring alerts",
        trigger=Trigger.MADE,
        years=2,
        covers="Alerts from the monitoring products and their triage (an alert raised as a concern is kept with it).",
        source="The portal's default: two annual reviews (DfE filtering and monitoring standards).",
        disposal=AlertDisposal(),
    )
)

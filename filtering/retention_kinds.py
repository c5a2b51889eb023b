"""How long the portal keeps the filtering log by default (safeguarding_portal.retention)."""

from safeguarding_portal.retention.registry import RecordKind, Trigger, register

from .disposal import FilterLogDisposal

# No guidance sets a period for a filtering log either. Requests, decisions, checks and reviews are the
# evidence a school meets the DfE filtering standard; three years covers three annual reviews and the time
# between most inspections.
register(
    RecordKind(
        name="filtering.log",
        label="Filtering log",
        trigger=Trigger.MADE,
        years=3,
        covers="Change requests and their decisions, risk assessments, the vendor's log, checks and annual reviews.",
        source="The portal's default: three annual reviews (DfE filtering and monitoring standards).",
        disposal=FilterLogDisposal(),
    )
)

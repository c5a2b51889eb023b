"""How long the portal keeps its audit log by default (safeguarding_portal.retention)."""

from safeguarding_portal.retention.registry import RecordKind, Trigger, register

from .disposal import AuditDisposal

# The audit log has its own period (issue 17): six years from each event, the Limitation Act 1980 period for
# most claims, by which any complaint about who saw or changed what would have been made. A school that
# expects inquiries into historical cases may keep it longer.
register(
    RecordKind(
        name="audit.log",
        label="Audit log",
        trigger=Trigger.MADE,
        years=6,
        covers="Who signed in, saw, changed or exported what (not the records themselves).",
        source="The portal's default: 6 years, the Limitation Act 1980 period for most claims.",
        # Personal detail only (IP, browser, summaries, details): each event keeps its place in the chain, and the
        # retention machinery's own events are never disposed of (disposal.py says why).
        disposal=AuditDisposal(),
    )
)

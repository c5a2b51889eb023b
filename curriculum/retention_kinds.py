"""How long the portal keeps training records by default (safeguarding_portal.retention)."""

from safeguarding_portal.retention.registry import RecordKind, Trigger, register

from .disposal import TrainingDisposal

# IRMS Information Management Toolkit for Schools (2019), 3.1 staff personnel file: termination of employment
# + 6 years. Safeguarding training records are part of it.
register(
    RecordKind(
        name="curriculum.training",
        label="Training records",
        trigger=Trigger.LEFT,
        years=6,
        covers="Staff and governors' safeguarding training and briefings attended.",
        source="IRMS toolkit for schools: staff personnel file, end of employment + 6 years.",
        disposal=TrainingDisposal(),
    )
)

"""How long the portal keeps the incidents app's records by default (safeguarding_portal.retention)."""

from safeguarding_portal.retention.registry import RecordKind, Trigger, register

from .disposal import CaseDisposal

# IRMS Information Management Toolkit for Schools (2019), 1.1 "Child protection": child protection information
# held in a separate file is kept until the child's date of birth + 25 years, then reviewed. Concerns, cases,
# their chronology, attachments and device searches are that file in the portal.
register(
    RecordKind(
        name="incidents.cp_records",
        label="Child protection records",
        trigger=Trigger.BIRTH,
        years=25,
        covers="Concerns, cases and their chronology, attachments, searches of pupils' devices, CP file transfers.",
        source="IRMS toolkit for schools: child protection files, date of birth + 25 years, then review.",
        disposal=CaseDisposal(),
    )
)

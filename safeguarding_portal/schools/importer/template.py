"""The template file offered on the upload page, and the help listing every accepted column name."""

from __future__ import annotations

from ..models import ImportRun, VulnerabilityFlag
from .headers import CONTACT_SPELLINGS, FLAG_KEYS, FLAG_NAMES, PUPIL_FIELDS, STAFF_FIELDS

# --- The template file ----------------------------------------------------------------------------------

# Each flag's start and end columns under its first (canonical) name, so the template shows every flag the
# import reads. The example pupil has free school meals and pupil premium from September 2023; a flag column
# left empty means "no such flag now", so a school that does not keep a flag should delete its two columns.
_TEMPLATE_FLAG_HEADERS = [f"{names[0]} {end}" for names in FLAG_NAMES.values() for end in ("Start", "End")]
_TEMPLATE_FLAG_CELLS = [
    "01/09/2023" if header in ("FSM Start", "Pupil Premium Start") else "" for header in _TEMPLATE_FLAG_HEADERS
]
TEMPLATE_HEADERS = {
    ImportRun.Kind.PUPILS: [
        "UPN",
        "Legal Forename",
        "Preferred Forename",
        "Surname",
        "DOB",
        "Year",
        "Reg Group",
        "Network Username",
        "School Email",
        "Contact Name",
        "Contact Email",
        "Relationship",
        "Priority",
        "Contact Phone",
        "Parental Responsibility",
        *_TEMPLATE_FLAG_HEADERS,
    ],
    ImportRun.Kind.STAFF: ["Name", "Email", "Role", "Job Title"],
}
TEMPLATE_ROWS = {
    ImportRun.Kind.PUPILS: [
        [
            "A123456789012",
            "Oliver",
            "Ollie",
            "Smith",
            "17/05/2016",
            "5",
            "5B",
            "osmith16",
            "oliver.smith@school.example",
            "Jane Smith",
            "jane.smith@example.com",
            "Mother",
            "1",
            "07700 900123",
            "Yes",
            *_TEMPLATE_FLAG_CELLS,
        ],
        [
            "A123456789012",
            "Oliver",
            "Ollie",
            "Smith",
            "17/05/2016",
            "5",
            "5B",
            "osmith16",
            "oliver.smith@school.example",
            "David Smith",
            "",
            "Father",
            "2",
            "07700 900456",
            "Yes",
            *_TEMPLATE_FLAG_CELLS,
        ],
    ],
    ImportRun.Kind.STAFF: [
        ["Sam Patel", "s.patel@school.example", "Staff", "Class teacher"],
        ["Alex Morgan", "a.morgan@school.example", "DSL", "Deputy headteacher"],
    ],
}


def accepted_spellings(*, kind: str) -> list[tuple[str, str, bool]]:
    """(what, accepted headers, required) for the upload page's help."""
    specs = PUPIL_FIELDS if kind == ImportRun.Kind.PUPILS else STAFF_FIELDS
    rows = [
        (spec.label.removeprefix("the ").capitalize(), ", ".join(spec.spellings), spec.required)
        for spec in specs
        if spec.key not in FLAG_KEYS
    ]
    if kind == ImportRun.Kind.PUPILS:
        rows.append(("Parents and carers", CONTACT_SPELLINGS, False))
        rows += [
            (
                f"{VulnerabilityFlag(flag).label} (start and end dates)",
                ", ".join(f"{name} Start, {name} End" for name in names),
                False,
            )
            for flag, names in FLAG_NAMES.items()
        ]
    return rows

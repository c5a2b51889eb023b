"""Finding the header row and mapping its columns to the fields an import knows, by loose spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..models import ImportRun, VulnerabilityFlag
from .reading import FileRejected

_HEADER_SEARCH_ROWS = 10


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- Headers --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # "the date of birth": completes "There is no column for ..."
    plural: str  # "dates of birth": completes "... with different ..."
    spellings: tuple[str, ...]
    required: bool = False


PUPIL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("upn", "the UPN", "UPNs", ("UPN", "Unique Pupil Number", "Pupil UPN"), required=True),
    FieldSpec(
        "legal_forename",
        "the legal forename",
        "legal forenames",
        ("Legal Forename", "Forename", "First Name", "Legal First Name", "Forenames", "Given Name"),
        required=True,
    ),
    FieldSpec(
        "preferred_forename",
        "the preferred forename",
        "preferred forenames",
        ("Preferred Forename", "Known As", "Preferred Name", "Preferred First Name"),
    ),
    FieldSpec(
        "surname", "the surname", "surnames", ("Surname", "Legal Surname", "Last Name", "Family Name"), required=True
    ),
    FieldSpec(
        "preferred_surname",
        "the preferred surname",
        "preferred surnames",
        ("Preferred Surname", "Known As Surname", "Preferred Last Name"),
    ),
    FieldSpec(
        "former_surname",
        "the former surname",
        "former surnames",
        ("Former Surname", "Previous Surname", "Former Last Name", "Former Family Name"),
    ),
    FieldSpec(
        "date_of_birth", "the date of birth", "dates of birth", ("DOB", "Date of Birth", "Birth Date"), required=True
    ),
    FieldSpec(
        "year_group",
        "the year group",
        "year groups",
        ("Year", "Year Group", "NC Year", "National Curriculum Year", "Curriculum Year"),
        required=True,
    ),
    FieldSpec(
        "registration_group",
        "the registration group",
        "registration groups",
        ("Reg Group", "Registration Group", "Class", "Form", "Tutor Group", "Form Group", "Reg"),
    ),
    FieldSpec(
        "joined_on",
        "the admission date",
        "admission dates",
        ("Admission Date", "Date of Admission", "Entry Date", "Start Date"),
    ),
    # How the school's network and monitoring product know the pupil: matches a monitoring alert to them.
    # ("Email" alone stays a parent's or carer's email, as in a one-contact-a-row export.)
    FieldSpec(
        "network_username",
        "the network user name",
        "network user names",
        (
            "Network Username",
            "Network User Name",
            "Username",
            "User Name",
            "Network Login",
            "Login",
            "Logon Name",
            "Pupil Username",
            "Student Username",
        ),
    ),
    FieldSpec(
        "school_email",
        "the pupil's school email",
        "school email addresses",
        (
            "School Email",
            "School Email Address",
            "Pupil Email",
            "Pupil School Email",
            "Student Email",
            "Pupil Email Address",
        ),
    ),
    # The family's language, for the parents' pages and emails (schools/languages.py reads the census codes).
    FieldSpec(
        "home_language",
        "the home language",
        "home languages",
        (
            "Home Language",
            "Home Language Code",
            "First Language",
            "First Language Code",
            "Main Language",
            "Language",
            "Family Language",
        ),
    ),
)

# Vulnerability flags: a start and an end date column for each (SIMS, Arbor and Bromcom export them so). A
# file speaks for a flag when it has the start column: a pupil with an empty start has no such flag now.
FLAG_NAMES: dict[str, tuple[str, ...]] = {
    VulnerabilityFlag.CP_PLAN: ("CP Plan", "Child Protection Plan", "CPP"),
    VulnerabilityFlag.CHILD_IN_NEED: ("Child in Need", "CIN"),
    VulnerabilityFlag.LOOKED_AFTER: ("Looked After", "In Care", "CLA", "LAC", "Child Looked After"),
    VulnerabilityFlag.PREVIOUSLY_LOOKED_AFTER: ("Previously Looked After", "PLA", "PLAC", "Ever In Care"),
    VulnerabilityFlag.SEN_SUPPORT: ("SEN Support", "SEN K", "SEND Support"),
    VulnerabilityFlag.EHCP: ("EHCP", "EHC Plan", "SEN EHCP", "SEND EHCP", "Education Health and Care Plan"),
    VulnerabilityFlag.YOUNG_CARER: ("Young Carer",),
    VulnerabilityFlag.FREE_SCHOOL_MEALS: ("FSM", "Free School Meals", "FSM Eligible", "FSM Eligibility"),
    VulnerabilityFlag.PUPIL_PREMIUM: ("Pupil Premium", "PP"),
    VulnerabilityFlag.EAL: ("EAL", "English as an Additional Language"),
}


def _flag_spellings(names: tuple[str, ...], ends: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{name} {end}" for name in names for end in ends)


FLAG_FIELDS: tuple[FieldSpec, ...] = tuple(
    spec
    for kind, names in FLAG_NAMES.items()
    for spec in (
        FieldSpec(
            f"flag_start:{kind}",
            f"the {VulnerabilityFlag(kind).label.lower()} start date",
            f"{VulnerabilityFlag(kind).label.lower()} start dates",
            _flag_spellings(names, ("Start", "Start Date", "From")),
        ),
        FieldSpec(
            f"flag_end:{kind}",
            f"the {VulnerabilityFlag(kind).label.lower()} end date",
            f"{VulnerabilityFlag(kind).label.lower()} end dates",
            _flag_spellings(names, ("End", "End Date", "To")),
        ),
    )
)
PUPIL_FIELDS = PUPIL_FIELDS + FLAG_FIELDS
FLAG_KEYS = frozenset(spec.key for spec in FLAG_FIELDS)


STAFF_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "the person's name", "names", ("Name", "Full Name", "Staff Name", "Display Name")),
    FieldSpec("forename", "the forename", "forenames", ("Forename", "First Name", "Legal Forename", "Given Name")),
    FieldSpec("surname", "the surname", "surnames", ("Surname", "Last Name", "Legal Surname", "Family Name")),
    FieldSpec(
        "email",
        "the email address",
        "email addresses",
        ("Email", "Email Address", "Work Email", "School Email", "Staff Email"),
        required=True,
    ),
    FieldSpec("role", "the portal role", "portal roles", ("Role", "Portal Role", "Access Role", "Safeguarding Role")),
    FieldSpec("job_title", "the job title", "job titles", ("Job Title", "Position", "Post", "Job Role")),
)

# Contact columns come unnumbered ("Contact Name", "Email", "Relationship": one contact a row) or numbered
# ("Contact 1 Name", "Contact 2 Email": several contacts on one row). Both may appear in one file.
CONTACT_PARTS: dict[str, tuple[str, ...]] = {
    "name": ("", "name", "fullname"),
    "forename": ("forename", "firstname"),
    "surname": ("surname", "lastname"),
    "email": ("email", "emailaddress"),
    "relationship": ("relationship", "relation", "relationshiptopupil", "relationshiptochild"),
    "priority": ("priority", "priorityorder", "order"),
    "phone": ("phone", "telephone", "tel", "mobile", "phonenumber", "mobilenumber", "telephonenumber"),
    "parental_responsibility": ("parentalresponsibility", "pr", "hasparentalresponsibility"),
}
_CONTACT_PART_LOOKUP = {suffix: part for part, suffixes in CONTACT_PARTS.items() for suffix in suffixes}
_UNPREFIXED_CONTACT = {
    "email": "email",
    "emailaddress": "email",
    "relationship": "relationship",
    "relationshiptopupil": "relationship",
    "priority": "priority",
    "phone": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "parentalresponsibility": "parental_responsibility",
}
_CONTACT_HEADER = re.compile(r"^(primarycontact|parentcarer|contact|parent|carer|guardian)(\d*)([a-z]*?)(\d*)$")
CONTACT_SPELLINGS = (
    "Contact Name / Primary Contact / Parent Name, Contact Email / Email, Relationship / Contact Relationship, "
    "Priority, Contact Phone, Parental Responsibility; or numbered: Contact 1 Name, Contact 1 Email, "
    "Contact 1 Relationship, Contact 2 Name, …"
)
_CONTACT_PART_LABELS = {
    "name": "name",
    "forename": "forename",
    "surname": "surname",
    "email": "email address",
    "relationship": "relationship",
    "priority": "priority",
    "phone": "phone number",
    "parental_responsibility": "parental responsibility",
}


@dataclass
class HeaderMap:
    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    contacts: dict[tuple[int, str], int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def header(self, index: int) -> str:
        return self.headers[index]

    @property
    def recognised(self) -> int:
        return len(self.fields) + len(self.contacts)


def _contact_key(normalised: str) -> tuple[int, str] | None:
    if normalised in _UNPREFIXED_CONTACT:
        return 0, _UNPREFIXED_CONTACT[normalised]
    match = _CONTACT_HEADER.match(normalised)
    if not match:
        return None
    _prefix, before, suffix, after = match.groups()
    if before and after:
        return None
    part = _CONTACT_PART_LOOKUP.get(suffix)
    if part is None:
        return None
    return int(before or after or 0), part


def map_headers(*, headers: list[str], specs: tuple[FieldSpec, ...], contacts: bool) -> HeaderMap:
    lookup = {_norm(s): spec for spec in specs for s in spec.spellings}
    mapped = HeaderMap(headers=headers)
    claimed: dict[Any, int] = {}
    for index, header in enumerate(headers):
        normalised = _norm(header)
        if not normalised:
            continue
        spec = lookup.get(normalised)
        key: Any = spec.key if spec else (_contact_key(normalised) if contacts else None)
        if key is None:
            mapped.ignored.append(header)
            continue
        if key in claimed:
            first = claimed[key]
            what = spec.label if spec else f"contact {key[0] or ''} {_CONTACT_PART_LABELS[key[1]]}".replace("  ", " ")
            mapped.duplicates.append(
                f"Columns {_column_letter(first)} (“{headers[first]}”) and {_column_letter(index)} (“{header}”) "
                f"both look like {what}. Delete or rename one of them."
            )
            continue
        claimed[key] = index
        if spec:
            mapped.fields[spec.key] = index
        else:
            mapped.contacts[key] = index
    return mapped


def _missing_required(mapped: HeaderMap, kind: str) -> list[str]:
    missing = []
    specs = PUPIL_FIELDS if kind == ImportRun.Kind.PUPILS else STAFF_FIELDS
    for spec in specs:
        if spec.required and spec.key not in mapped.fields:
            missing.append(f"There is no column for {spec.label}. Name it one of: {', '.join(spec.spellings)}.")
    if (
        kind == ImportRun.Kind.STAFF
        and "name" not in mapped.fields
        and not ("forename" in mapped.fields and "surname" in mapped.fields)
    ):
        missing.append(
            "There is no column for the person's name. Add a “Name” column, or “Forename” and “Surname” columns."
        )
    return missing


def find_header(*, rows: list[list[str]], kind: str) -> tuple[int, HeaderMap]:
    """The header row: the first of the opening rows that has every required column.

    Some MIS reports put a title line or two above the table; the row numbers we report still count them.
    """
    specs = PUPIL_FIELDS if kind == ImportRun.Kind.PUPILS else STAFF_FIELDS
    with_contacts = kind == ImportRun.Kind.PUPILS
    best: tuple[int, HeaderMap] | None = None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if not any(row):
            continue
        mapped = map_headers(headers=row, specs=specs, contacts=with_contacts)
        if not _missing_required(mapped, kind):
            best = (index, mapped)
            break
        if best is None or mapped.recognised > best[1].recognised:
            best = (index, mapped)
    if best is None:
        raise FileRejected("The first rows of the file are empty. Put the header row (the column names) at the top.")
    index, mapped = best
    problems = _missing_required(mapped, kind)
    if problems:
        other = ImportRun.Kind.STAFF if kind == ImportRun.Kind.PUPILS else ImportRun.Kind.PUPILS
        other_mapped = map_headers(
            headers=rows[index],
            specs=STAFF_FIELDS if other == ImportRun.Kind.STAFF else PUPIL_FIELDS,
            contacts=other == ImportRun.Kind.PUPILS,
        )
        if not _missing_required(other_mapped, other):
            problems.append(
                f"This looks like a {ImportRun.Kind(other).label.lower()} file: "
                f"choose “{ImportRun.Kind(other).label}” as what the file holds."
            )
        raise FileRejected(*problems)
    if mapped.duplicates:
        raise FileRejected(*mapped.duplicates)
    return index, mapped

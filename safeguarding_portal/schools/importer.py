"""Importing pupils, their parents and carers, and staff from a CSV exported from the school's MIS.

Three steps, each a plain function: ``read_table`` turns the uploaded bytes into rows and finds the header
row, ``validate_pupils`` / ``validate_staff`` check every row and collect every problem (rather than stopping
at the first, so one upload shows the whole list), and ``apply_pupils`` / ``apply_staff`` write the result
with bulk queries whose number does not grow with the rows. ``import_people`` runs the three and records an
``ImportRun`` either way: a file with any bad row changes nothing.

The MIS is the source of truth for the columns a file has; columns it does not have are left alone. So a file
without a phone column never clears phone numbers, while a file with one does.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import logging
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.db.models.functions import Lower
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.accounts.services import membership_end, membership_grant
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record

from . import languages, tables
from .models import (
    UPN_VALIDATOR,
    Guardian,
    ImportRun,
    Pupil,
    PupilFlag,
    PupilGuardian,
    School,
    VulnerabilityFlag,
    YearGroup,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
# Enough to fix a file from; a file with more problems than this is the wrong file.
MAX_REPORTED_ERRORS = 1000
# Uploading one class's list instead of the whole school would otherwise mark everyone else as left, and
# staff could no longer find those children when they report a concern.
MANY_LEAVERS_SHARE = 0.25
MANY_LEAVERS_MIN = 10
# Roles a staff file speaks for. Governors and parents are never ended by a staff import.
STAFF_FILE_ROLES = frozenset(
    {Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.ONLINE_SAFETY_LEAD, Role.HEADTEACHER, Role.TECHNICIAN}
)
_HEADER_SEARCH_ROWS = 10
_CHUNK = 500


# --- Errors ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, placed where the user will find it in a spreadsheet (the header is row 1)."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value[:200], "message": self.message}


class FileRejected(Exception):
    """A problem with the whole file (unreadable, empty, missing columns) rather than with a row."""

    def __init__(self, *messages: str):
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)

    def as_errors(self) -> list[RowError]:
        return [RowError(None, "", "", m) for m in self.messages]


# --- Reading the file -----------------------------------------------------------------------------------

_SAVE_AS_CSV = "In Excel, choose File, then Save As, then “CSV UTF-8 (Comma delimited)” and upload that file."


def decode_upload(*, data: bytes, max_bytes: int | None = None) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 from Excel, else Windows-1252 (but a
    UTF-8 file with a byte that is not UTF-8 is refused, never re-read as Windows-1252). ``max_bytes`` is the
    caller's size limit (the MIS one, 5 MB, by default; longer vendor logs are decoded by the same rules)."""
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise FileRejected(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limit // (1024 * 1024)} MB. "
                           "Export only the columns the portal needs.")
    if not data.strip():
        raise FileRejected("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected(f"This is an Excel workbook (.xlsx), not a CSV file. {_SAVE_AS_CSV}")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(f"This is an older Excel workbook (.xls), not a CSV file. {_SAVE_AS_CSV}")
    if data.startswith(b"%PDF"):
        raise FileRejected("This is a PDF, not a CSV file. Export the report from your MIS as CSV instead.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRejected(f"The file could not be read as text. {_SAVE_AS_CSV}")
    if b"\x00" in data:
        raise FileRejected(f"This is not a text file, so it cannot be a CSV export. {_SAVE_AS_CSV}")
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data != body or _UTF8_SEQUENCE.search(body):
            # A byte-order mark or UTF-8 characters say the file is UTF-8, yet one byte is not: two encodings in
            # one file. Read either way some names would be garbled ("ZoÃ«"), so it is not read at all.
            raise FileRejected(_mixed_encoding(body, exc.start)) from exc
    try:
        # What Excel on Windows writes for "CSV (Comma delimited)": accents and curly quotes in names survive.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRejected(f"The file is not in a text encoding the portal can read. {_SAVE_AS_CSV}")


# A multi-byte UTF-8 character ("ë" is C3 AB). Windows-1252 text almost never contains one by chance: it
# would take a capital accented letter followed by a symbol such as "©".
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _mixed_encoding(body: bytes, start: int) -> str:
    line = body.count(b"\n", 0, start) + 1
    line_start = body.rfind(b"\n", 0, start) + 1
    column = len(body[line_start:start].decode("utf-8", errors="replace")) + 1
    return (
        f"The file is in UTF-8 except on line {line}, where character {column} is the byte 0x{body[start]:02X}, "
        "which is not UTF-8 (probably pasted from a file in another encoding). Nothing was read, so no name is "
        "garbled: correct that line in your MIS, or in a text editor saving as UTF-8, and upload the file again."
    )


def read_table(*, data: bytes, sheet: str = "") -> list[list[str]]:
    """All rows of the CSV, as lists of cells. Comma, tab or semicolon separated, as the first line shows.

    An Excel workbook (.xlsx) is read into the same rows of text (schools/tables.py); ``sheet`` names the
    worksheet when it has several."""
    if tables.is_xlsx(data):
        if len(data) > MAX_FILE_BYTES:
            raise FileRejected(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is 5 MB. "
                               "Export only the columns the portal needs.")
        try:
            return tables.read_xlsx(data, sheet=sheet)
        except tables.WorkbookProblem as exc:
            raise FileRejected(str(exc)) from exc
    text = decode_upload(data=data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise FileRejected(f"The file could not be read as CSV near line {reader.line_num} ({exc}). {_SAVE_AS_CSV}")
    if not any(any(row) for row in rows):
        raise FileRejected("The file is empty.")
    return rows


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _squash(text: str) -> str:
    return " ".join(text.split())


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
    FieldSpec("legal_forename", "the legal forename", "legal forenames",
              ("Legal Forename", "Forename", "First Name", "Legal First Name", "Forenames", "Given Name"),
              required=True),
    FieldSpec("preferred_forename", "the preferred forename", "preferred forenames",
              ("Preferred Forename", "Known As", "Preferred Name", "Preferred First Name")),
    FieldSpec("surname", "the surname", "surnames", ("Surname", "Legal Surname", "Last Name", "Family Name"),
              required=True),
    FieldSpec("preferred_surname", "the preferred surname", "preferred surnames",
              ("Preferred Surname", "Known As Surname", "Preferred Last Name")),
    FieldSpec("former_surname", "the former surname", "former surnames",
              ("Former Surname", "Previous Surname", "Former Last Name", "Former Family Name")),
    FieldSpec("date_of_birth", "the date of birth", "dates of birth", ("DOB", "Date of Birth", "Birth Date"),
              required=True),
    FieldSpec("year_group", "the year group", "year groups",
              ("Year", "Year Group", "NC Year", "National Curriculum Year", "Curriculum Year"), required=True),
    FieldSpec("registration_group", "the registration group", "registration groups",
              ("Reg Group", "Registration Group", "Class", "Form", "Tutor Group", "Form Group", "Reg")),
    FieldSpec("joined_on", "the admission date", "admission dates",
              ("Admission Date", "Date of Admission", "Entry Date", "Start Date")),
    # How the school's network and monitoring product know the pupil: matches a monitoring alert to them.
    # ("Email" alone stays a parent's or carer's email, as in a one-contact-a-row export.)
    FieldSpec("network_username", "the network user name", "network user names",
              ("Network Username", "Network User Name", "Username", "User Name", "Network Login", "Login",
               "Logon Name", "Pupil Username", "Student Username")),
    FieldSpec("school_email", "the pupil's school email", "school email addresses",
              ("School Email", "School Email Address", "Pupil Email", "Pupil School Email", "Student Email",
               "Pupil Email Address")),
    # The family's language, for the parents' pages and emails (schools/languages.py reads the census codes).
    FieldSpec("home_language", "the home language", "home languages",
              ("Home Language", "Home Language Code", "First Language", "First Language Code", "Main Language",
               "Language", "Family Language")),
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
        FieldSpec(f"flag_start:{kind}", f"the {VulnerabilityFlag(kind).label.lower()} start date",
                  f"{VulnerabilityFlag(kind).label.lower()} start dates",
                  _flag_spellings(names, ("Start", "Start Date", "From"))),
        FieldSpec(f"flag_end:{kind}", f"the {VulnerabilityFlag(kind).label.lower()} end date",
                  f"{VulnerabilityFlag(kind).label.lower()} end dates",
                  _flag_spellings(names, ("End", "End Date", "To"))),
    )
)
PUPIL_FIELDS = PUPIL_FIELDS + FLAG_FIELDS
FLAG_KEYS = frozenset(spec.key for spec in FLAG_FIELDS)


STAFF_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "the person's name", "names", ("Name", "Full Name", "Staff Name", "Display Name")),
    FieldSpec("forename", "the forename", "forenames", ("Forename", "First Name", "Legal Forename", "Given Name")),
    FieldSpec("surname", "the surname", "surnames", ("Surname", "Last Name", "Legal Surname", "Family Name")),
    FieldSpec("email", "the email address", "email addresses",
              ("Email", "Email Address", "Work Email", "School Email", "Staff Email"), required=True),
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
    "email": "email", "emailaddress": "email", "relationship": "relationship", "relationshiptopupil": "relationship",
    "priority": "priority", "phone": "phone", "telephone": "phone", "mobile": "phone",
    "parentalresponsibility": "parental_responsibility",
}
_CONTACT_HEADER = re.compile(r"^(primarycontact|parentcarer|contact|parent|carer|guardian)(\d*)([a-z]*?)(\d*)$")
CONTACT_SPELLINGS = (
    "Contact Name / Primary Contact / Parent Name, Contact Email / Email, Relationship / Contact Relationship, "
    "Priority, Contact Phone, Parental Responsibility; or numbered: Contact 1 Name, Contact 1 Email, "
    "Contact 1 Relationship, Contact 2 Name, …"
)
_CONTACT_PART_LABELS = {
    "name": "name", "forename": "forename", "surname": "surname", "email": "email address",
    "relationship": "relationship", "priority": "priority", "phone": "phone number",
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
    if kind == ImportRun.Kind.STAFF and "name" not in mapped.fields and not (
        "forename" in mapped.fields and "surname" in mapped.fields
    ):
        missing.append("There is no column for the person's name. Add a “Name” column, "
                       "or “Forename” and “Surname” columns.")
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
            headers=rows[index], specs=STAFF_FIELDS if other == ImportRun.Kind.STAFF else PUPIL_FIELDS,
            contacts=other == ImportRun.Kind.PUPILS,
        )
        if not _missing_required(other_mapped, other):
            problems.append(f"This looks like a {ImportRun.Kind(other).label.lower()} file: "
                            f"choose “{ImportRun.Kind(other).label}” as what the file holds.")
        raise FileRejected(*problems)
    if mapped.duplicates:
        raise FileRejected(*mapped.duplicates)
    return index, mapped


# --- Values ---------------------------------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]{3,9})\.?[\s\-,]+(\d{2,4})$", re.IGNORECASE)
_MONTHS = {name: n for n, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MIDNIGHT = re.compile(r"[T ]0?0:00(:00(\.0+)?)?$")
_EXAMPLE_DATE = "such as 17/05/2016"
_NOT_A_DATE = f"This is not a date the portal recognises. Write dates as day/month/year, {_EXAMPLE_DATE}."


def parse_uk_date(value: str) -> datetime.date:
    """A date as UK MIS exports write it: day/month/year (DD/MM/YYYY or D/M/YYYY), or ISO YYYY-MM-DD.

    Raises ValueError with a message for the user. Two-digit years and month/day order are refused rather
    than guessed: a wrong date of birth is worse than a rejected file.
    """
    text = _MIDNIGHT.sub("", value.strip())
    if match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(text):
        day, month, year_text = int(match[1]), int(match[2]), match[3]
        if len(year_text) != 4:
            raise ValueError(f"Use a four-digit year, {_EXAMPLE_DATE}: a two-digit year could be in either century.")
        year = int(year_text)
    elif match := _NAMED.match(text):
        month_number = _MONTHS.get(match[2][:3].lower())
        if month_number is None:
            raise ValueError(_NOT_A_DATE)
        if len(match[3]) != 4:
            raise ValueError(f"Use a four-digit year, {_EXAMPLE_DATE}: a two-digit year could be in either century.")
        day, month, year = int(match[1]), month_number, int(match[3])
    else:
        raise ValueError(_NOT_A_DATE)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        if _DMY.match(text) and 1 <= day <= 12 and 12 < month <= 31:
            raise ValueError(f"There is no month {month}: this looks like a US month/day/year date. "
                             f"Dates must be day/month/year, {_EXAMPLE_DATE}.") from None
        raise ValueError("This date does not exist (check the day and the month). "
                         f"Dates must be day/month/year, {_EXAMPLE_DATE}.") from None


def check_date_of_birth(dob: datetime.date, *, today: datetime.date) -> None:
    if dob > today:
        raise ValueError("This date of birth is in the future.")
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    if age < 2:
        raise ValueError("This date of birth makes the pupil younger than two. Check the date (day/month/year).")
    if age > 25:
        raise ValueError(f"This date of birth makes the pupil {age}. Check the date (day/month/year).")


_YEAR = re.compile(r"^(?:nationalcurriculumyear|ncyear|yeargroup|year|yr|y)?(r|rec|reception|fs2|f2|\d{1,2})$")
_YEAR_GROUPS = frozenset(YearGroup.values)
_NURSERY = re.compile(r"^(?:year|yr|y)?(n|n1|n2|nur|nursery|fs1|f1|pn|preschool)$")


def parse_year_group(value: str) -> str:
    """"R", "Reception", "Year 5", "Y5", "5" and the like, as a YearGroup value. Raises ValueError."""
    text = _norm(value)
    if _NURSERY.match(text):
        raise ValueError("Nursery is not a year group the portal holds. Leave nursery pupils out of the file.")
    match = _YEAR.match(text)
    if match:
        token = match[1]
        if token in ("r", "rec", "reception", "fs2", "f2"):
            return YearGroup.RECEPTION
        number = str(int(token))
        if number in _YEAR_GROUPS:
            return number
    raise ValueError("This is not a year group. Use R (Reception) or 1 to 13, for example “Year 5”, “Y5” or “5”.")


@functools.lru_cache(maxsize=16384)
def _clean_email(value: str) -> str:
    """The lower-cased address, or ValueError. One address a cell: a list is a mistake, not two parents."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if len([piece for piece in re.split(r"[;,\s]+", text) if "@" in piece]) > 1:
        raise ValueError("Put one email address in each cell: a parent or carer each needs their own.")
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError("This is not a valid email address.") from None
    return text.lower()


def _parse_flag(value: str) -> bool:
    text = _norm(value)
    if text in ("y", "yes", "true", "1", "x"):
        return True
    if text in ("n", "no", "false", "0"):
        return False
    raise ValueError("Write Yes or No.")


def _too_long(value: str, limit: int) -> str | None:
    return f"This is {len(value)} characters long; the limit is {limit}." if len(value) > limit else None


# --- Pupils: validation ---------------------------------------------------------------------------------


@dataclass
class ContactRecord:
    row: int
    slot: int
    name: str
    email: str
    relationship: str
    priority: int | None
    phone: str
    parental_responsibility: bool | None

    def key(self) -> tuple[str, str]:
        return ("email", self.email) if self.email else ("name", self.name.casefold())


@dataclass
class PupilRecord:
    upn: str
    rows: list[int]
    values: dict[str, Any]
    contacts: list[ContactRecord] = field(default_factory=list)
    # (start, end) of each flag the file speaks for; (None, None): the pupil has no such flag now.
    flags: dict[str, tuple[datetime.date | None, datetime.date | None]] = field(default_factory=dict)


@dataclass
class PupilPlan:
    header_row: int
    pupils: dict[str, PupilRecord]
    fields_present: frozenset[str]
    contact_parts_present: frozenset[str]
    ignored_columns: list[str]
    data_rows: int
    flag_kinds_present: frozenset[str] = frozenset()

    @property
    def has_contacts(self) -> bool:
        return bool(self.contact_parts_present)


@dataclass
class Validation:
    """What a validator returns: a plan when every row is good, else the errors (and no plan)."""

    plan: Any = None
    errors: list[RowError] = field(default_factory=list)
    data_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)


_PUPIL_LIMITS = {"legal_forename": 100, "preferred_forename": 100, "surname": 100, "preferred_surname": 100,
                 "former_surname": 100, "registration_group": 40, "network_username": 150}
_CONTACT_LIMITS = {"name": 200, "relationship": 60, "phone": 40}


def _data_rows(rows: list[list[str]], header_index: int):
    """(spreadsheet row number, cells) of each non-blank data row."""
    for offset, cells in enumerate(rows[header_index + 1:], start=header_index + 2):
        if any(cells):
            yield offset, cells


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def validate_pupils(*, data: bytes, today: datetime.date | None = None, sheet: str = "") -> Validation:
    today = today or timezone.localdate()
    rows = read_table(data=data, sheet=sheet)
    header_index, mapped = find_header(rows=rows, kind=ImportRun.Kind.PUPILS)
    flag_kinds = [kind for kind in FLAG_NAMES if f"flag_start:{kind}" in mapped.fields]
    # An end date alone says nothing about whether the pupil has the flag: the whole file is refused.
    ends_alone = [kind for kind in FLAG_NAMES if f"flag_end:{kind}" in mapped.fields and kind not in flag_kinds]
    if ends_alone:
        raise FileRejected(*(
            f"There is a column for the {VulnerabilityFlag(kind).label.lower()} end date but none for its start "
            f"date. Add one named “{FLAG_NAMES[kind][0]} Start”, or remove the end date column."
            for kind in ends_alone
        ))
    specs = {spec.key: spec for spec in PUPIL_FIELDS}
    errors: list[RowError] = []
    parsed: list[tuple[int, str, dict[str, Any], dict[str, str], list[ContactRecord]]] = []
    slots: dict[int, dict[str, int]] = defaultdict(dict)
    for (slot, part), index in sorted(mapped.contacts.items()):
        slots[slot][part] = index
    data_rows = 0

    for row, cells in _data_rows(rows, header_index):
        data_rows += 1
        raw = {key: _cell(cells, index) for key, index in mapped.fields.items()}
        values: dict[str, Any] = {}

        def bad(key: str, message: str, raw=raw, row=row) -> None:
            errors.append(RowError(row, mapped.header(mapped.fields[key]), raw[key], message))

        upn = re.sub(r"\s", "", raw["upn"]).upper()
        if not upn:
            bad("upn", "The UPN is missing.")
        else:
            try:
                UPN_VALIDATOR(upn)
                values["upn"] = upn
            except ValidationError as exc:
                bad("upn", exc.messages[0])
        for key in ("legal_forename", "surname"):
            value = _squash(raw[key])
            if not value:
                bad(key, f"The {specs[key].label.removeprefix('the ')} is missing.")
            elif message := _too_long(value, _PUPIL_LIMITS[key]):
                bad(key, message)
            else:
                values[key] = value
        for key in ("preferred_forename", "preferred_surname", "former_surname", "registration_group"):
            if key in raw:
                value = _squash(raw[key])
                if message := _too_long(value, _PUPIL_LIMITS[key]):
                    bad(key, message)
                else:
                    values[key] = value
        if not raw["date_of_birth"]:
            bad("date_of_birth", "The date of birth is missing.")
        else:
            try:
                dob = parse_uk_date(raw["date_of_birth"])
                check_date_of_birth(dob, today=today)
                values["date_of_birth"] = dob
            except ValueError as exc:
                bad("date_of_birth", str(exc))
        if not raw["year_group"]:
            bad("year_group", "The year group is missing.")
        else:
            try:
                values["year_group"] = parse_year_group(raw["year_group"])
            except ValueError as exc:
                bad("year_group", str(exc))
        if "network_username" in raw:
            value = raw["network_username"].strip()
            if any(c.isspace() for c in value):
                bad("network_username", "A network user name has no spaces in it.")
            elif message := _too_long(value, _PUPIL_LIMITS["network_username"]):
                bad("network_username", message)
            else:
                values["network_username"] = value
        if "school_email" in raw:
            if raw["school_email"]:
                try:
                    values["school_email"] = _clean_email(raw["school_email"])
                except ValueError as exc:
                    bad("school_email", str(exc))
            else:
                values["school_email"] = ""
        if "home_language" in raw:
            # A language the portal does not translate into is English for the parents' pages, not an error.
            values["home_language"] = languages.from_mis(raw["home_language"])
        if "joined_on" in raw:
            if raw["joined_on"]:
                try:
                    values["joined_on"] = parse_uk_date(raw["joined_on"])
                except ValueError as exc:
                    bad("joined_on", str(exc))
            else:
                values["joined_on"] = None
        for kind in flag_kinds:
            _parse_flag_dates(kind, raw, values, bad)

        contacts = []
        for slot, columns in slots.items():
            contact = _parse_contact(cells, row, slot, columns, mapped, errors)
            if contact is not None:
                contacts.append(contact)
        parsed.append((row, upn, values, raw, contacts))

    if data_rows == 0:
        raise FileRejected("The file has a header row but no pupils under it.")

    by_upn: dict[str, list[tuple[int, dict[str, Any], dict[str, str], list[ContactRecord]]]] = defaultdict(list)
    for row, upn, values, raw, contacts in parsed:
        if "upn" in values:
            by_upn[upn].append((row, values, raw, contacts))
    present = [spec for spec in PUPIL_FIELDS if spec.key in mapped.fields and spec.key != "upn"]
    for upn, group in by_upn.items():
        if len(group) < 2:
            continue
        row_list = _row_list([row for row, *_ in group])
        for spec in present:
            seen = {
                _comparable(values[spec.key]): raw[spec.key] for _row, values, raw, _c in group if spec.key in values
            }
            if len(seen) > 1:
                different = ", ".join(f"“{v}”" for v in seen.values())
                for row, _values, raw, _c in group:
                    errors.append(RowError(
                        row, mapped.header(mapped.fields[spec.key]), raw[spec.key],
                        f"UPN {upn} is on rows {row_list} with different {spec.plural} ({different}). "
                        "One UPN is one pupil: correct the UPN or the details.",
                    ))
    _check_contacts_of_each_pupil(by_upn, mapped, errors)
    _check_contact_emails_across_file(parsed, mapped, errors)
    _check_pupil_identities_across_file(parsed, mapped, errors)

    result = Validation(errors=errors, data_rows=data_rows, ignored_columns=mapped.ignored)
    if errors:
        return result
    pupils: dict[str, PupilRecord] = {}
    for upn, group in by_upn.items():
        first_values = group[0][1]
        values = {key: value for key, value in first_values.items() if key != "upn" and key not in FLAG_KEYS}
        record = PupilRecord(upn=upn, rows=[row for row, *_ in group], values=values, flags={
            kind: (first_values[f"flag_start:{kind}"], first_values[f"flag_end:{kind}"]) for kind in flag_kinds
        })
        seen_keys: set[tuple[str, str]] = set()
        for _row, _values, _raw, contacts in group:
            for contact in contacts:
                if contact.key() not in seen_keys:
                    seen_keys.add(contact.key())
                    record.contacts.append(contact)
        for position, contact in enumerate(record.contacts, start=1):
            if contact.priority is None:
                contact.priority = contact.slot or position
        pupils[upn] = record
    result.plan = PupilPlan(
        header_row=header_index + 1, pupils=pupils,
        fields_present=frozenset(k for k in mapped.fields if k != "upn" and k not in FLAG_KEYS),
        contact_parts_present=frozenset(part for _slot, part in mapped.contacts),
        ignored_columns=mapped.ignored, data_rows=data_rows, flag_kinds_present=frozenset(flag_kinds),
    )
    return result


def _parse_flag_dates(kind: str, raw: dict[str, str], values: dict[str, Any], bad) -> None:
    """values["flag_start:<kind>"] and values["flag_end:<kind>"]: dates, or None when the cell is empty."""
    start_key, end_key = f"flag_start:{kind}", f"flag_end:{kind}"
    dates: dict[str, datetime.date | None] = {}
    for key in (start_key, end_key):
        if not raw.get(key):
            dates[key] = None
            continue
        try:
            dates[key] = parse_uk_date(raw[key])
        except ValueError as exc:
            bad(key, str(exc))
    if len(dates) < 2:
        return
    start, end = dates[start_key], dates[end_key]
    if end is not None and start is None:
        bad(end_key, "This flag has an end date but no start date. Add the date it started.")
        return
    if start is not None and end is not None and end < start:
        bad(end_key, "This flag ends before it starts. Check the dates (day/month/year).")
        return
    values[start_key], values[end_key] = start, end


def _check_pupil_identities_across_file(parsed, mapped: HeaderMap, errors: list[RowError]) -> None:
    """One network user name or school email is one pupil: shared, a monitoring alert would match the wrong child."""
    for key in ("network_username", "school_email"):
        if key not in mapped.fields:
            continue
        owners: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for row, upn, values, _raw, _contacts in parsed:
            if values.get(key) and "upn" in values:
                owners[values[key].lower()][upn].append(row)
        for value, by_upn in owners.items():
            if len(by_upn) < 2:
                continue
            rows = sorted(r for rs in by_upn.values() for r in rs)
            for row in rows:
                errors.append(RowError(row, mapped.header(mapped.fields[key]), value,
                                       f"Pupils with different UPNs share this {PUPIL_SPEC_LABELS[key]} "
                                       f"(rows {_row_list(rows)}). Each pupil needs their own."))


PUPIL_SPEC_LABELS = {"network_username": "network user name", "school_email": "school email"}


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _row_list(rows: list[int]) -> str:
    rows = sorted(rows)
    return ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}" if len(rows) > 1 else str(rows[0])


def _parse_contact(cells: list[str], row: int, slot: int, columns: dict[str, int], mapped: HeaderMap,
                   errors: list[RowError]) -> ContactRecord | None:
    raw = {part: _cell(cells, index) for part, index in columns.items()}
    if not any(raw.values()):
        return None
    who = f"Contact {slot}" if slot else "The contact"
    before = len(errors)

    def bad(part: str, message: str) -> None:
        errors.append(RowError(row, mapped.header(columns[part]), raw[part], message))

    name = _squash(raw.get("name", "")) or _squash(f"{raw.get('forename', '')} {raw.get('surname', '')}")
    email = ""
    if raw.get("email"):
        try:
            email = _clean_email(raw["email"])
        except ValueError as exc:
            bad("email", str(exc))
    if not name:
        part = next((p for p in ("name", "surname", "forename") if p in columns), None) or next(iter(columns))
        hint = "" if part in ("name", "surname", "forename") else f" Add a “{who.removeprefix('The ')} Name” column."
        errors.append(RowError(row, mapped.header(columns[part]), raw.get(part, ""),
                               f"{who}'s name is missing.{hint}"))
    elif message := _too_long(name, _CONTACT_LIMITS["name"]):
        part = "name" if "name" in columns else "surname"
        bad(part, message)
    for part in ("relationship", "phone"):
        if part in raw and (message := _too_long(_squash(raw[part]), _CONTACT_LIMITS[part])):
            bad(part, message)
    priority = None
    if raw.get("priority"):
        if re.fullmatch(r"\d{1,2}", raw["priority"]) and int(raw["priority"]) >= 1:
            priority = int(raw["priority"])
        else:
            bad("priority", "The priority is a whole number: 1 for the first contact, 2 for the next, and so on.")
    responsibility = None
    if raw.get("parental_responsibility"):
        try:
            responsibility = _parse_flag(raw["parental_responsibility"])
        except ValueError as exc:
            bad("parental_responsibility", str(exc))
    if len(errors) > before:
        return None
    return ContactRecord(
        row=row, slot=slot, name=name, email=email, relationship=_squash(raw.get("relationship", "")),
        priority=priority, phone=_squash(raw.get("phone", "")), parental_responsibility=responsibility,
    )


def _contact_column(mapped: HeaderMap, slot: int, *parts: str) -> str:
    for part in parts:
        if (slot, part) in mapped.contacts:
            return mapped.header(mapped.contacts[(slot, part)])
    return ""


def _check_contacts_of_each_pupil(by_upn, mapped: HeaderMap, errors: list[RowError]) -> None:
    """The same contact twice for one pupil is fine when the details agree, and an error on both rows if not."""
    for upn, group in by_upn.items():
        first: dict[tuple[str, str], ContactRecord] = {}
        for _row, _values, _raw, contacts in group:
            for contact in contacts:
                earlier = first.setdefault(contact.key(), contact)
                if earlier is contact:
                    continue
                # Names are compared file-wide by email (below); a contact without one is keyed by name.
                for part in ("relationship", "priority", "phone", "parental_responsibility"):
                    a, b = getattr(earlier, part), getattr(contact, part)
                    if _comparable(a) != _comparable(b):
                        label = _CONTACT_PART_LABELS[part]
                        for one, other in ((earlier, contact), (contact, earlier)):
                            errors.append(RowError(
                                one.row, _contact_column(mapped, one.slot, part, "name", "email"),
                                "" if getattr(one, part) is None else str(getattr(one, part)),
                                f"{contact.name or contact.email} is a contact of pupil {upn} on row {other.row} "
                                f"too, with a different {label}. Make the two rows agree.",
                            ))
                        break


def _check_contact_emails_across_file(parsed, mapped: HeaderMap, errors: list[RowError]) -> None:
    """One email address is one person: brothers and sisters share a parent, not two parents an address."""
    owners: dict[str, ContactRecord] = {}
    flagged: set[int] = set()
    for _row, _upn, _values, _raw, contacts in parsed:
        for contact in contacts:
            if not contact.email:
                continue
            owner = owners.setdefault(contact.email, contact)
            if owner is contact or owner.name.casefold() == contact.name.casefold():
                continue
            pairs = [(contact, owner)] + ([(owner, contact)] if id(owner) not in flagged else [])
            flagged.add(id(owner))
            for one, other in pairs:
                errors.append(RowError(
                    one.row, _contact_column(mapped, one.slot, "email"), one.email,
                    f"This email address is given for {one.name} here and for {other.name} on row {other.row}. "
                    "Each parent or carer needs their own address, because agreements are signed from it.",
                ))


# --- Staff: validation ----------------------------------------------------------------------------------

_ROLE_ALIASES = {
    "staffmember": Role.STAFF, "memberofstaff": Role.STAFF,
    "deputy": Role.DEPUTY_DSL, "ddsl": Role.DEPUTY_DSL, "deputydesignatedsafeguardinglead": Role.DEPUTY_DSL,
    "deputysafeguardinglead": Role.DEPUTY_DSL,
    "osl": Role.ONLINE_SAFETY_LEAD, "esafetylead": Role.ONLINE_SAFETY_LEAD,
    "onlinesafetycoordinator": Role.ONLINE_SAFETY_LEAD, "esafetycoordinator": Role.ONLINE_SAFETY_LEAD,
    "head": Role.HEADTEACHER, "principal": Role.HEADTEACHER, "headofschool": Role.HEADTEACHER,
    "ittechnician": Role.TECHNICIAN, "networkmanager": Role.TECHNICIAN,
}
_ROLE_LOOKUP = {
    **{_norm(role.value): role for role in Role},
    **{_norm(str(role.label)): role for role in Role},
    **_ROLE_ALIASES,
}
_STAFF_FILE_GRANTS = STAFF_FILE_ROLES | {Role.GOVERNOR}
_ROLE_NAMES = "Staff, DSL, Deputy DSL, Online safety lead, Headteacher, Technician, Governor"


def parse_roles(value: str) -> list[str]:
    """The portal roles in a "Role" cell (several may be separated by ; , / or |). Raises ValueError."""
    roles: list[str] = []
    for piece in re.split(r"[;,/|+&]", value):
        if not piece.strip():
            continue
        role = _ROLE_LOOKUP.get(_norm(piece))
        if role == Role.PARENT:
            raise ValueError("Parents and carers come in with the pupils file, not the staff file.")
        if role == Role.TRUST_LEAD:
            raise ValueError("The trust safeguarding lead role is given by the trust, not by a school's import.")
        if role not in _STAFF_FILE_GRANTS:
            raise ValueError(f"“{piece.strip()}” is not a portal role. Use one of: {_ROLE_NAMES}, or leave it "
                             "empty for Staff. Put job titles in a “Job Title” column.")
        if role not in roles:
            roles.append(role)
    return roles


@dataclass
class StaffRecord:
    email: str
    name: str
    rows: list[int]
    roles: list[str]
    job_title: str | None


@dataclass
class StaffPlan:
    header_row: int
    people: dict[str, StaffRecord]
    has_role_column: bool
    has_job_title_column: bool
    ignored_columns: list[str]
    data_rows: int


def validate_staff(*, data: bytes, sheet: str = "") -> Validation:
    rows = read_table(data=data, sheet=sheet)
    header_index, mapped = find_header(rows=rows, kind=ImportRun.Kind.STAFF)
    errors: list[RowError] = []
    people: dict[str, StaffRecord] = {}
    data_rows = 0
    for row, cells in _data_rows(rows, header_index):
        data_rows += 1
        raw = {key: _cell(cells, index) for key, index in mapped.fields.items()}
        before = len(errors)

        def bad(key: str, message: str, raw=raw, row=row) -> None:
            errors.append(RowError(row, mapped.header(mapped.fields[key]), raw[key], message))

        email = ""
        if not raw["email"]:
            bad("email", "The email address is missing. Staff sign in with it, so every row needs one.")
        else:
            try:
                email = _clean_email(raw["email"])
            except ValueError as exc:
                bad("email", str(exc))
        name = _squash(raw.get("name", "")) or _squash(f"{raw.get('forename', '')} {raw.get('surname', '')}")
        name_key = "name" if "name" in mapped.fields else "surname"
        if not name:
            bad(name_key, "The name is missing.")
        elif message := _too_long(name, 150):
            bad(name_key, message)
        roles: list[str] = []
        if raw.get("role"):
            try:
                roles = parse_roles(raw["role"])
            except ValueError as exc:
                bad("role", str(exc))
        job_title = _squash(raw["job_title"]) if "job_title" in raw else None
        if job_title and (message := _too_long(job_title, 120)):
            bad("job_title", message)
        if len(errors) > before:
            continue
        roles = roles or [Role.STAFF]
        existing = people.get(email)
        if existing is None:
            people[email] = StaffRecord(email=email, name=name, rows=[row], roles=roles, job_title=job_title)
            continue
        if existing.name.casefold() != name.casefold():
            for one_row, one_name in ((existing.rows[0], existing.name), (row, name)):
                errors.append(RowError(
                    one_row, mapped.header(mapped.fields[name_key]), one_name,
                    f"{email} is on rows {_row_list([existing.rows[0], row])} with different names. "
                    "One email address is one person: correct the email or the name.",
                ))
        elif (job_title or "") != (existing.job_title or "") and job_title and existing.job_title:
            for one_row, one_title in ((existing.rows[0], existing.job_title), (row, job_title)):
                errors.append(RowError(
                    one_row, mapped.header(mapped.fields["job_title"]), one_title,
                    f"{email} is on rows {_row_list([existing.rows[0], row])} with different job titles.",
                ))
        else:
            existing.rows.append(row)
            existing.roles += [r for r in roles if r not in existing.roles]
            existing.job_title = existing.job_title or job_title
    if data_rows == 0:
        raise FileRejected("The file has a header row but nobody under it.")
    result = Validation(errors=errors, data_rows=data_rows, ignored_columns=mapped.ignored)
    if not errors:
        result.plan = StaffPlan(
            header_row=header_index + 1, people=people, has_role_column="role" in mapped.fields,
            has_job_title_column="job_title" in mapped.fields, ignored_columns=mapped.ignored, data_rows=data_rows,
        )
    return result


# --- Pupils: applying -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    left: int = 0
    unchanged: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _fill_missing_pks(objs: list, model, key: str, **scope) -> None:
    # PostgreSQL and SQLite 3.35+ return ids from bulk_create; this covers older databases.
    missing = [o for o in objs if o.pk is None]
    for chunk in _chunks(missing):
        ids = dict(model.objects.filter(**scope, **{f"{key}__in": [getattr(o, key) for o in chunk]})
                   .values_list(key, "pk"))
        for obj in chunk:
            obj.pk = ids[getattr(obj, key)]


def leavers_if_applied(*, school: School, plan: PupilPlan) -> tuple[int, int]:
    """(pupils on roll now, how many of them the file would mark as left)."""
    on_roll = list(Pupil.objects.filter(school=school, left_on__isnull=True).values_list("upn", flat=True))
    return len(on_roll), sum(1 for upn in on_roll if upn not in plan.pupils)


def too_many_leavers(*, on_roll: int, leaving: int) -> bool:
    return leaving > MANY_LEAVERS_MIN and leaving > on_roll * MANY_LEAVERS_SHARE


@transaction.atomic
def apply_pupils(*, school: School, plan: PupilPlan, today: datetime.date | None = None) -> Outcome:
    """Write a validated pupil file: a fixed number of queries, plus one per batch of inserts or updates."""
    today = today or timezone.localdate()
    now = timezone.now()
    outcome = Outcome()
    existing = {p.upn: p for p in Pupil.objects.filter(school=school)}

    new_pupils: list[Pupil] = []
    changed_pupils: list[Pupil] = []
    changed_fields: set[str] = set()
    rejoined = 0
    for upn, record in plan.pupils.items():
        pupil = existing.get(upn)
        if pupil is None:
            pupil = Pupil(school_id=school.pk, upn=upn, updated_at=now, **record.values)
            new_pupils.append(pupil)
            existing[upn] = pupil
            continue
        changed = False
        for name, value in record.values.items():
            if getattr(pupil, name) != value:
                setattr(pupil, name, value)
                changed_fields.add(name)
                changed = True
        if pupil.left_on is not None:
            pupil.left_on = None
            changed_fields.add("left_on")
            rejoined += 1
            changed = True
        if changed:
            pupil.updated_at = now
            changed_pupils.append(pupil)
    leavers = [p for upn, p in existing.items() if p.left_on is None and upn not in plan.pupils and p.pk]

    Pupil.objects.bulk_create(new_pupils)
    _fill_missing_pks(new_pupils, Pupil, "upn", school=school)
    if changed_pupils:
        Pupil.objects.bulk_update(changed_pupils, sorted(changed_fields | {"updated_at"}))
    for chunk in _chunks([p.pk for p in leavers]):
        Pupil.objects.filter(pk__in=chunk).update(left_on=today, updated_at=now)

    outcome.created, outcome.updated, outcome.left = len(new_pupils), len(changed_pupils), len(leavers)
    outcome.unchanged = len(plan.pupils) - outcome.created - outcome.updated
    outcome.details.update(rejoined=rejoined, left_ids=[p.pk for p in leavers][:500])
    if plan.has_contacts:
        outcome.details.update(_apply_contacts(school=school, plan=plan, pupils=existing))
    if plan.flag_kinds_present:
        outcome.details.update(_apply_flags(school=school, plan=plan, pupils=existing, today=today))
    return outcome


def _apply_flags(*, school: School, plan: PupilPlan, pupils: dict[str, Pupil],
                 today: datetime.date) -> dict[str, int]:
    """Each pupil's period of each flag the file has columns for, matched to the period that starts on the same
    day, else to the pupil's open period if the two meet, else added. A pupil the file gives no start date no
    longer has the flag: an open period the MIS brought in ends today, while one the DSL team entered is left
    for them to end (they often know before the MIS does). Pupils missing from the file keep their flags."""
    kinds = plan.flag_kinds_present
    periods: dict[tuple[int, str], list[PupilFlag]] = defaultdict(list)
    for flag in PupilFlag.objects.filter(pupil__school_id=school.pk, kind__in=kinds):
        periods[(flag.pupil_id, flag.kind)].append(flag)
    new: list[PupilFlag] = []
    changed: list[PupilFlag] = []
    ended = 0
    for upn, record in plan.pupils.items():
        pupil_id = pupils[upn].pk
        for kind in kinds:
            start, end = record.flags[kind]
            known = periods.get((pupil_id, kind), [])
            if start is None:
                for flag in known:
                    if flag.ends_on is None and flag.source == PupilFlag.Source.MIS:
                        flag.ends_on = max(today, flag.starts_on)
                        changed.append(flag)
                        ended += 1
                continue
            # The open period is the file's when their dates meet; an earlier, ended period the file gives is
            # history and never overwrites a newer episode the DSL team has opened.
            match = next((f for f in known if f.starts_on == start), None) or next(
                (f for f in known if f.ends_on is None and (end is None or end >= f.starts_on)), None)
            if match is None:
                new.append(PupilFlag(pupil_id=pupil_id, kind=kind, starts_on=start, ends_on=end,
                                     source=PupilFlag.Source.MIS))
            elif (match.starts_on, match.ends_on, match.source) != (start, end, PupilFlag.Source.MIS):
                match.starts_on, match.ends_on, match.source = start, end, PupilFlag.Source.MIS
                changed.append(match)
    # Ends first: a period ended and a new one opened for the same flag must not both be open at once.
    now = timezone.now()
    for flag in changed:
        flag.updated_at = now
    if changed:
        PupilFlag.objects.bulk_update(changed, ["starts_on", "ends_on", "source", "updated_at"])
    PupilFlag.objects.bulk_create(new)
    return {"flags_added": len(new), "flags_changed": len(changed) - ended, "flags_ended": ended}


def _apply_contacts(*, school: School, plan: PupilPlan, pupils: dict[str, Pupil]) -> dict[str, int]:
    """Guardians by (school, email); a guardian without an email by name among the pupil's own guardians.

    For each pupil in the file, the file's contacts become the pupil's links: a contact the MIS no longer
    lists is unlinked (the guardian record stays), so a parent who lost contact rights stops getting emails.
    """
    parts = plan.contact_parts_present
    guardians = {g.pk: g for g in Guardian.objects.filter(school=school)}
    by_email = {g.email.lower(): g for g in guardians.values() if g.email}
    # Plain values rather than model instances: a school has thousands of links and few of them change.
    links_by_pupil: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for link in PupilGuardian.objects.filter(pupil__school=school).values(
        "pk", "pupil_id", "guardian_id", "relationship", "contact_priority", "has_parental_responsibility"
    ):
        links_by_pupil[link["pupil_id"]][link["guardian_id"]] = link

    def same_name(guardian: Guardian, name: str) -> bool:
        return _squash(guardian.full_name).casefold() == name.casefold()

    # Who each file email is. Known addresses first; then a pupil's existing guardian with the same name,
    # whose address changed in the MIS; else someone new.
    by_file_email: dict[str, Guardian] = {}
    first_contact: dict[str, ContactRecord] = {}
    for record in plan.pupils.values():
        for contact in record.contacts:
            if contact.email:
                first_contact.setdefault(contact.email, contact)
                if contact.email in by_email:
                    by_file_email[contact.email] = by_email[contact.email]
    email_claimed = {g.pk for g in by_file_email.values()}
    for record in plan.pupils.values():
        pupil_links = links_by_pupil.get(pupils[record.upn].pk, {})
        for contact in record.contacts:
            if not contact.email or contact.email in by_file_email:
                continue
            candidates = [guardians[gid] for gid in sorted(pupil_links)
                          if gid not in email_claimed and same_name(guardians[gid], contact.name)]
            if candidates:
                by_file_email[contact.email] = candidates[0]
                email_claimed.add(candidates[0].pk)

    new_guardians: list[Guardian] = []
    changed_guardians: dict[int, Guardian] = {}
    changed_fields: set[str] = set()

    def update(guardian: Guardian, **values: str) -> None:
        for name, value in values.items():
            if getattr(guardian, name) != value:
                setattr(guardian, name, value)
                changed_fields.add(name)
                if guardian.pk:
                    changed_guardians[guardian.pk] = guardian

    phones: dict[str, str] = {}
    for record in plan.pupils.values():
        for contact in record.contacts:
            if contact.email and contact.phone:
                phones.setdefault(contact.email, contact.phone)
    for email, contact in first_contact.items():
        guardian = by_file_email.get(email)
        if guardian is None:
            guardian = Guardian(school_id=school.pk, full_name=contact.name, email=email, phone=phones.get(email, ""))
            new_guardians.append(guardian)
            by_file_email[email] = guardian
            continue
        values = {"full_name": contact.name, "email": email}
        if "phone" in parts:
            values["phone"] = phones.get(email, "")
        update(guardian, **values)

    # Each pupil's wanted links: (guardian, relationship, priority, parental responsibility).
    wanted: dict[str, list[tuple[Guardian, ContactRecord]]] = {}
    for record in plan.pupils.values():
        pupil_links = links_by_pupil.get(pupils[record.upn].pk, {})
        used: set[int] = set()
        pairs: list[tuple[Guardian, ContactRecord]] = []
        for contact in record.contacts:
            if contact.email:
                guardian = by_file_email[contact.email]
            else:
                guardian = next(
                    (guardians[gid] for gid in sorted(pupil_links)
                     if gid not in email_claimed and gid not in used and same_name(guardians[gid], contact.name)),
                    None,
                )
                if guardian is None:
                    guardian = Guardian(school_id=school.pk, full_name=contact.name, email="", phone=contact.phone)
                    new_guardians.append(guardian)
                else:
                    values = {"email": ""} if "email" in parts else {}
                    if "phone" in parts:
                        values["phone"] = contact.phone
                    update(guardian, **values)
            if guardian.pk and guardian.pk in used:
                continue
            if guardian.pk:
                used.add(guardian.pk)
            pairs.append((guardian, contact))
        wanted[record.upn] = pairs

    if changed_guardians:
        Guardian.objects.bulk_update(list(changed_guardians.values()), sorted(changed_fields))
    Guardian.objects.bulk_create(new_guardians)
    if any(g.pk is None for g in new_guardians):
        # Without returned ids, match the new rows back by (email or name) among the ids created just now.
        newest = Guardian.objects.filter(school=school).order_by("-pk")[: len(new_guardians)]
        for guardian, pk in zip(new_guardians, sorted(g.pk for g in newest), strict=True):
            guardian.pk = pk

    new_links: list[PupilGuardian] = []
    changed_links: list[PupilGuardian] = []
    link_fields: set[str] = set()
    removed: list[int] = []
    for upn, pairs in wanted.items():
        pupil = pupils[upn]
        current = dict(links_by_pupil.get(pupil.pk, {}))
        for guardian, contact in pairs:
            link = current.pop(guardian.pk, None)
            values: dict[str, Any] = {"contact_priority": contact.priority}
            if "relationship" in parts:
                values["relationship"] = contact.relationship
            if contact.parental_responsibility is not None:
                values["has_parental_responsibility"] = contact.parental_responsibility
            if link is None:
                new_links.append(PupilGuardian(pupil_id=pupil.pk, guardian_id=guardian.pk, **values))
                continue
            differs = [name for name, value in values.items() if link[name] != value]
            if differs:
                link_fields.update(differs)
                changed_links.append(PupilGuardian(**{**link, **values}))
        removed.extend(link["pk"] for link in current.values())
    PupilGuardian.objects.bulk_create(new_links)
    if changed_links:
        PupilGuardian.objects.bulk_update(changed_links, sorted(link_fields))
    for chunk in _chunks(removed):
        PupilGuardian.objects.filter(pk__in=chunk).delete()
    return {
        "guardians_created": len(new_guardians),
        "guardians_updated": len(changed_guardians),
        "links_created": len(new_links),
        "links_updated": len(changed_links),
        "links_removed": len(removed),
    }


# --- Staff: applying ------------------------------------------------------------------------------------


@transaction.atomic
def apply_staff(*, school: School, plan: StaffPlan, by: User | None = None, origin: Origin | None = None,
                end_missing: bool = False, today: datetime.date | None = None) -> Outcome:
    """Users by email (new ones without a usable password: they use "forgotten password"), and their roles.

    Roles are granted with ``membership_grant`` so each is audited. Staff missing from the file keep their
    roles unless ``end_missing`` is set; then their staff roles are ended (never deleted), except the
    uploader's own, so nobody locks themselves out with a partial file.
    """
    today = today or timezone.localdate()
    outcome = Outcome()
    emails = list(plan.people)
    users = {}
    for chunk in _chunks(emails):
        users.update({u.email.lower(): u for u in User.objects.annotate(e=Lower("email")).filter(e__in=chunk)})
    new_users = [
        User(email=email, full_name=person.name, password=make_password(None))
        for email, person in plan.people.items() if email not in users
    ]
    User.objects.bulk_create(new_users)
    _fill_missing_pks(new_users, User, "email")
    users.update({u.email: u for u in new_users})
    renamed = [users[e] for e, p in plan.people.items() if users[e].full_name != p.name and users[e].pk]
    for user in renamed:
        user.full_name = plan.people[user.email.lower()].name
    if renamed:
        User.objects.bulk_update(renamed, ["full_name"])
    changed_people = {u.pk for u in renamed}

    open_roles: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(school=school, ended_on__isnull=True).select_related("user"):
        open_roles[membership.user_id].append(membership)
    retitled: list[Membership] = []
    granted = 0
    new_here: set[int] = {u.pk for u in new_users}
    for email, person in plan.people.items():
        user = users[email]
        held = open_roles.get(user.pk, [])
        for role in person.roles:
            # "Staff" means "works here": a DSL or technician already does, so needs no second role.
            matches = [m for m in held if m.role == role or (role == Role.STAFF and m.role in STAFF_FILE_ROLES)]
            if not matches:
                membership_grant(user=user, role=role, school=school, by=by, origin=origin,
                                 job_title=person.job_title or "")
                granted += 1
                new_here.add(user.pk)
                continue
            if person.job_title is not None:
                for membership in matches:
                    if membership.job_title != person.job_title:
                        membership.job_title = person.job_title
                        retitled.append(membership)
                        changed_people.add(user.pk)
    if retitled:
        Membership.objects.bulk_update(retitled, ["job_title"])

    ended = 0
    kept_own = False
    if end_missing:
        for memberships in open_roles.values():
            for membership in memberships:
                if membership.role not in STAFF_FILE_ROLES or membership.user.email.lower() in plan.people:
                    continue
                if by is not None and membership.user_id == by.pk:
                    kept_own = True
                    continue
                membership_end(membership=membership, by=by, origin=origin, on=today)
                ended += 1
    outcome.created, outcome.updated, outcome.left = granted, len(changed_people - new_here), ended
    outcome.unchanged = sum(1 for e in plan.people if users[e].pk not in changed_people | new_here)
    outcome.details.update(users_created=len(new_users), kept_own_roles=kept_own, end_missing=end_missing)
    return outcome


# --- The whole import -----------------------------------------------------------------------------------


def _safe_filename(name: str) -> str:
    return os.path.basename(name.replace("\\", "/"))[:255]


def _reject(*, school: School, kind: str, by: User | None, filename: str, digest: str, errors: list[RowError],
            data_rows: int = 0, details: dict[str, Any] | None = None) -> ImportRun:
    return ImportRun.objects.create(
        school=school, kind=kind, uploaded_by=by, filename=filename, sha256=digest,
        status=ImportRun.Status.REJECTED, rows=data_rows, error_count=len(errors),
        errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]], details=details or {},
    )


@transaction.atomic
def import_people(*, school: School, kind: str, data: bytes, filename: str = "", by: User | None = None,
                  origin: Origin | None = None, end_missing_staff: bool = False,
                  allow_many_leavers: bool = False, today: datetime.date | None = None, sheet: str = "") -> ImportRun:
    """Validate a file from the MIS and, only if every row is good, apply all of it. Never raises for bad input.

    Returns the recorded run: ``status`` says whether it was applied; a rejected run carries the report.
    """
    today = today or timezone.localdate()
    filename = _safe_filename(filename)
    digest = hashlib.sha256(data).hexdigest()
    if kind not in ImportRun.Kind.values:
        raise ValueError(f"Unknown import kind {kind!r}")
    # One import at a time per school (a row lock on PostgreSQL; SQLite already writes one at a time).
    School.objects.select_for_update().filter(pk=school.pk).first()
    try:
        validation = (validate_pupils(data=data, today=today, sheet=sheet) if kind == ImportRun.Kind.PUPILS
                      else validate_staff(data=data, sheet=sheet))
    except FileRejected as exc:
        return _reject(school=school, kind=kind, by=by, filename=filename, digest=digest, errors=exc.as_errors())
    details: dict[str, Any] = {"ignored_columns": validation.ignored_columns}
    if validation.errors:
        return _reject(school=school, kind=kind, by=by, filename=filename, digest=digest,
                       errors=validation.errors, data_rows=validation.data_rows, details=details)
    plan = validation.plan
    if kind == ImportRun.Kind.PUPILS and not allow_many_leavers:
        on_roll, leaving = leavers_if_applied(school=school, plan=plan)
        if too_many_leavers(on_roll=on_roll, leaving=leaving):
            error = RowError(None, "", "", (
                f"This file would mark {leaving} of the {on_roll} pupils on roll as left, because they are not in "
                "it. If this is part of the school (one class or year), export every pupil on roll instead. If "
                "they really have left, tick “Yes, mark pupils missing from the file as left” and upload again."
            ))
            return _reject(school=school, kind=kind, by=by, filename=filename, digest=digest, errors=[error],
                           data_rows=validation.data_rows, details={**details, "would_leave": leaving})
    try:
        with transaction.atomic():
            if kind == ImportRun.Kind.PUPILS:
                outcome = apply_pupils(school=school, plan=plan, today=today)
            else:
                outcome = apply_staff(school=school, plan=plan, by=by, origin=origin,
                                      end_missing=end_missing_staff, today=today)
    except (DatabaseError, ProtectedError, ValidationError):
        # The database refused part of the change (another import at the same moment, or a record another
        # part of the portal protects): nothing was written, and the user hears so rather than seeing a 500.
        log.exception("MIS import for school %s could not be saved", school.pk)
        error = RowError(None, "", "", "The portal could not save this import, so nothing was changed. "
                         "Please try again in a minute; if it happens again, tell the portal's administrator.")
        return _reject(school=school, kind=kind, by=by, filename=filename, digest=digest, errors=[error],
                       data_rows=validation.data_rows, details=details)
    run = ImportRun.objects.create(
        school=school, kind=kind, uploaded_by=by, filename=filename, sha256=digest,
        status=ImportRun.Status.APPLIED, rows=validation.data_rows, created=outcome.created,
        updated=outcome.updated, left=outcome.left, unchanged=outcome.unchanged,
        details={**details, **outcome.details},
    )
    counts = {"created": run.created, "updated": run.updated, "left": run.left, "unchanged": run.unchanged}
    audit_record(
        action=AuditAction.PEOPLE_IMPORTED, origin=origin, actor=by, school=school, obj=run,
        summary=f"{run.get_kind_display()} imported from {filename or 'a file'}: {run.created} created, "
        f"{run.updated} updated, {run.left} {'marked as left' if kind == ImportRun.Kind.PUPILS else 'roles ended'}",
        detail={"kind": kind, "filename": filename, "sha256": digest, "rows": run.rows, **counts,
                **{k: v for k, v in outcome.details.items() if k != "left_ids"}},
    )
    return run


# --- The template file ----------------------------------------------------------------------------------

# Each flag's start and end columns under its first (canonical) name, so the template shows every flag the
# import reads. The example pupil has free school meals and pupil premium from September 2023; a flag column
# left empty means "no such flag now", so a school that does not keep a flag should delete its two columns.
_TEMPLATE_FLAG_HEADERS = [f"{names[0]} {end}" for names in FLAG_NAMES.values() for end in ("Start", "End")]
_TEMPLATE_FLAG_CELLS = ["01/09/2023" if header in ("FSM Start", "Pupil Premium Start") else ""
                        for header in _TEMPLATE_FLAG_HEADERS]
TEMPLATE_HEADERS = {
    ImportRun.Kind.PUPILS: ["UPN", "Legal Forename", "Preferred Forename", "Surname", "DOB", "Year", "Reg Group",
                            "Network Username", "School Email", "Contact Name", "Contact Email", "Relationship",
                            "Priority", "Contact Phone", "Parental Responsibility", *_TEMPLATE_FLAG_HEADERS],
    ImportRun.Kind.STAFF: ["Name", "Email", "Role", "Job Title"],
}
TEMPLATE_ROWS = {
    ImportRun.Kind.PUPILS: [
        ["A123456789012", "Oliver", "Ollie", "Smith", "17/05/2016", "5", "5B", "osmith16",
         "oliver.smith@school.example", "Jane Smith",
         "jane.smith@example.com", "Mother", "1", "07700 900123", "Yes", *_TEMPLATE_FLAG_CELLS],
        ["A123456789012", "Oliver", "Ollie", "Smith", "17/05/2016", "5", "5B", "osmith16",
         "oliver.smith@school.example", "David Smith",
         "", "Father", "2", "07700 900456", "Yes", *_TEMPLATE_FLAG_CELLS],
    ],
    ImportRun.Kind.STAFF: [
        ["Sam Patel", "s.patel@school.example", "Staff", "Class teacher"],
        ["Alex Morgan", "a.morgan@school.example", "DSL", "Deputy headteacher"],
    ],
}


def accepted_spellings(*, kind: str) -> list[tuple[str, str, bool]]:
    """(what, accepted headers, required) for the upload page's help."""
    specs = PUPIL_FIELDS if kind == ImportRun.Kind.PUPILS else STAFF_FIELDS
    rows = [(spec.label.removeprefix("the ").capitalize(), ", ".join(spec.spellings), spec.required)
            for spec in specs if spec.key not in FLAG_KEYS]
    if kind == ImportRun.Kind.PUPILS:
        rows.append(("Parents and carers", CONTACT_SPELLINGS, False))
        rows += [
            (f"{VulnerabilityFlag(flag).label} (start and end dates)",
             ", ".join(f"{name} Start, {name} End" for name in names), False)
            for flag, names in FLAG_NAMES.items()
        ]
    return rows

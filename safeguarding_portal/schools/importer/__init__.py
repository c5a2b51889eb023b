"""Importing pupils, their parents and carers, and staff from a CSV exported from the school's MIS.

Three steps, each a plain function: ``read_table`` turns the uploaded bytes into rows and finds the header
row, ``validate_pupils`` / ``validate_staff`` check every row and collect every problem (rather than stopping
at the first, so one upload shows the whole list), and ``apply_pupils`` / ``apply_staff`` write the result
with bulk queries whose number does not grow with the rows. ``import_people`` runs the three and records an
``ImportRun`` either way: a file with any bad row changes nothing.

The MIS is the source of truth for the columns a file has; columns it does not have are left alone. So a file
without a phone column never clears phone numbers, while a file with one does.

The package's modules follow those steps: ``reading`` (bytes to rows; the errors), ``headers`` (the header row
and its columns), ``parsing`` (cell values), ``pupils``, ``contacts`` and ``staff`` (checking and writing each),
``running`` (the whole import) and ``template`` (the downloadable template). The names callers use are here.
"""

from __future__ import annotations

from .contacts import ContactRecord
from .headers import (
    CONTACT_PARTS,
    CONTACT_SPELLINGS,
    FLAG_FIELDS,
    FLAG_KEYS,
    FLAG_NAMES,
    PUPIL_FIELDS,
    STAFF_FIELDS,
    FieldSpec,
    HeaderMap,
    find_header,
    map_headers,
)
from .outcome import Outcome
from .parsing import Validation, check_date_of_birth, parse_uk_date, parse_year_group
from .pupils import (
    MANY_LEAVERS_MIN,
    MANY_LEAVERS_SHARE,
    PupilPlan,
    PupilRecord,
    apply_pupils,
    leavers_if_applied,
    too_many_leavers,
    validate_pupils,
)
from .reading import MAX_FILE_BYTES, FileRejected, RowError, decode_upload, read_table
from .running import MAX_REPORTED_ERRORS, import_people
from .staff import STAFF_FILE_ROLES, StaffPlan, StaffRecord, apply_staff, parse_roles, validate_staff
from .template import TEMPLATE_HEADERS, TEMPLATE_ROWS, accepted_spellings

__all__ = [
    "CONTACT_PARTS",
    "CONTACT_SPELLINGS",
    "FLAG_FIELDS",
    "FLAG_KEYS",
    "FLAG_NAMES",
    "MANY_LEAVERS_MIN",
    "MANY_LEAVERS_SHARE",
    "MAX_FILE_BYTES",
    "MAX_REPORTED_ERRORS",
    "PUPIL_FIELDS",
    "STAFF_FIELDS",
    "STAFF_FILE_ROLES",
    "TEMPLATE_HEADERS",
    "TEMPLATE_ROWS",
    "ContactRecord",
    "FieldSpec",
    "FileRejected",
    "HeaderMap",
    "Outcome",
    "PupilPlan",
    "PupilRecord",
    "RowError",
    "StaffPlan",
    "StaffRecord",
    "Validation",
    "accepted_spellings",
    "apply_pupils",
    "apply_staff",
    "check_date_of_birth",
    "decode_upload",
    "find_header",
    "import_people",
    "leavers_if_applied",
    "map_headers",
    "parse_roles",
    "parse_uk_date",
    "parse_year_group",
    "read_table",
    "too_many_leavers",
    "validate_pupils",
    "validate_staff",
]

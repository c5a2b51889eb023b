"""A monitoring product's CSV export, uploaded by the DSL team or the technician.

Like the filtering vendor log (``filtering.vendor``): every row is checked and every problem collected; only a
file without problems goes in, all of it, through ``services.alert_receive``. A rejected file is recorded
with its row-by-row errors. The column mapping is kept per school and vendor; mappings for Smoothwall
Monitor, Senso and Impero ship with the portal, and the mapping screen handles any other product.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from filtering.vendor import parse_timestamp, read_table
from safeguarding_portal.accounts.models import User
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools.importer import FileRejected, RowError
from safeguarding_portal.schools.models import School

from . import services
from .models import Channel, ColumnMapping, ImportRun, Severity, Vendor

MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 500
CLOCK_SLACK_MINUTES = 15

# (key, label, required, common spellings): the fields of an alert a CSV can carry.
FIELDS = (
    (
        "activity_at",
        "Time of the activity",
        True,
        ("time", "date", "datetime", "date time", "timestamp", "when", "activity time", "captured at", "event time"),
    ),
    ("rule", "Rule or category", True, ("category", "rule", "policy", "keyword category", "violation", "type")),
    ("severity", "Severity", True, ("severity", "risk", "risk level", "level", "severity level", "priority")),
    ("username", "User name", False, ("user", "username", "user name", "login", "account", "student")),
    ("user_email", "Email", False, ("email", "user email", "email address", "upn")),
    ("device", "Device", False, ("device", "computer", "machine", "device name", "hostname")),
    (
        "captured_text",
        "Captured text",
        False,
        ("captured text", "capture", "text", "content", "context", "keyword", "phrase", "details"),
    ),
    (
        "external_id",
        "The vendor's alert id",
        False,
        ("id", "alert id", "incident id", "event id", "violation id", "reference", "capture id"),
    ),
    ("suspected_imagery", "Suspected indecent imagery flag", False, ("iioc", "suspected iioc", "csam")),
)
REQUIRED = tuple(key for key, _, required, _ in FIELDS if required)
LABELS = {key: label for key, label, _, _ in FIELDS}

# The columns each product's own export uses (per its documentation and exports seen in schools), so the
# upload works without a mapping. A school whose export differs changes them once on the mapping screen.
SHIPPED_COLUMNS: dict[str, dict[str, str]] = {
    Vendor.SMOOTHWALL: {
        "activity_at": "Date/Time",
        "rule": "Category",
        "severity": "Risk Level",
        "username": "Username",
        "user_email": "Email",
        "device": "Device",
        "captured_text": "Captured Text",
        "external_id": "Incident ID",
    },
    Vendor.SENSO: {
        "activity_at": "Time",
        "rule": "Violation Category",
        "severity": "Severity",
        "username": "User",
        "device": "Device Name",
        "captured_text": "Violation Text",
        "external_id": "Violation ID",
    },
    Vendor.IMPERO: {
        "activity_at": "Date Captured",
        "rule": "Policy",
        "severity": "Severity Level",
        "username": "Username",
        "device": "Computer Name",
        "captured_text": "Captured Text",
        "external_id": "Capture ID",
    },
}

# The vendor's level (folded) -> the portal's severity. Smoothwall Monitor scores risk 1 to 5 (5: imminent
# risk); Impero's severity levels run 1 to 5 too; Senso and others use words.
_WORDS = {
    "low": Severity.LOW,
    "minor": Severity.LOW,
    "info": Severity.LOW,
    "informational": Severity.LOW,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "amber": Severity.MEDIUM,
    "high": Severity.HIGH,
    "serious": Severity.HIGH,
    "severe": Severity.HIGH,
    "red": Severity.HIGH,
    "critical": Severity.CRITICAL,
    "urgent": Severity.CRITICAL,
    "imminent": Severity.CRITICAL,
    "imminent risk": Severity.CRITICAL,
    "very high": Severity.CRITICAL,
    "extreme": Severity.CRITICAL,
}
_LEVELS = {"1": Severity.LOW, "2": Severity.LOW, "3": Severity.MEDIUM, "4": Severity.HIGH, "5": Severity.CRITICAL}
SHIPPED_SEVERITIES: dict[str, dict[str, str]] = {
    Vendor.SMOOTHWALL: {
        **_WORDS,
        **_LEVELS,
        "level 1": "low",
        "level 2": "low",
        "level 3": "medium",
        "level 4": "high",
        "level 5": "critical",
    },
    Vendor.IMPERO: {**_WORDS, **_LEVELS},
    Vendor.SENSO: {**_WORDS, **_LEVELS},
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def default_severities(vendor: str) -> dict[str, str]:
    return SHIPPED_SEVERITIES.get(vendor, {**_WORDS, **_LEVELS})


def map_severity(value: str, severities: dict[str, str]) -> str | None:
    text = value.strip().casefold()
    if text in Severity.values:
        return text
    return severities.get(text) or severities.get(re.sub(r"\s+", " ", text))


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)
    severities: dict[str, str] = field(default_factory=dict)


def saved_mapping(*, school: School, vendor: str) -> Mapping:
    saved = ColumnMapping.objects.filter(school=school, vendor=vendor).first()
    if saved is not None:
        return Mapping(dict(saved.columns), {**default_severities(vendor), **saved.severities})
    return Mapping(dict(SHIPPED_COLUMNS.get(vendor, {})), default_severities(vendor))


def save_mapping(
    *, school: School, vendor: str, by: User, columns: dict[str, str], severities: dict[str, str]
) -> ColumnMapping:
    bad = {k: v for k, v in severities.items() if v not in Severity.values}
    if bad:
        raise FileRejected(f"Map each level to one of: {', '.join(Severity.values)}.")
    mapping, _ = ColumnMapping.objects.update_or_create(
        school=school,
        vendor=vendor,
        defaults={
            "columns": {k: v.strip() for k, v in columns.items() if k in LABELS and v.strip()},
            "severities": {k.strip().casefold(): v for k, v in severities.items() if k.strip()},
            "updated_by": by,
            "updated_at": timezone.now(),
        },
    )
    return mapping


def resolve_columns(headers: list[str], mapping: Mapping) -> dict[str, int]:
    by_norm: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(_norm(h), i)
    columns: dict[str, int] = {}
    problems = []
    for key, label, required, spellings in FIELDS:
        wanted = mapping.columns.get(key, "").strip()
        if wanted and _norm(wanted) in by_norm:
            columns[key] = by_norm[_norm(wanted)]
            continue
        found = next((by_norm[_norm(s)] for s in spellings if _norm(s) in by_norm), None)
        if found is not None:
            columns[key] = found
        elif required:
            problems.append(
                f"Say which column holds the {label.lower()}"
                + (f" (there is no column called “{wanted}”)." if wanted else ".")
            )
    if problems:
        shown = ", ".join(f"“{h}”" for h in headers if h) or "none"
        raise FileRejected(*problems, f"The file's first row has these columns: {shown}.")
    return columns


@dataclass
class ImportResult:
    run: ImportRun
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.run.status == ImportRun.Status.APPLIED


_TRUE = {"1", "yes", "y", "true", "t", "x"}


def import_alerts(  # noqa: C901  # each vendor's columns and values checked in one pass: not yet split
    *,
    school: School,
    by: User,
    vendor: str,
    data: bytes,
    filename: str,
    mapping: Mapping | None = None,
    remember: bool = True,
    page: bool = True,
) -> ImportResult:
    """Every row checked; all imported or none. The run is recorded either way."""
    now = timezone.now()
    sha = hashlib.sha256(data).hexdigest()
    mapping = mapping or saved_mapping(school=school, vendor=vendor)
    severities = mapping.severities or default_severities(vendor)

    def rejected(errors: list[RowError]) -> ImportResult:
        run = ImportRun.objects.create(
            school=school,
            vendor=vendor,
            uploaded_by=by,
            uploaded_at=now,
            filename=filename[:200],
            sha256=sha,
            status=ImportRun.Status.REJECTED,
            errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
        )
        return ImportResult(run, errors)

    if vendor not in Vendor.values:
        return rejected([RowError(None, "", "", "Choose the monitoring product the export came from.")])
    try:
        rows = read_table(data=data)
        header_index = next(i for i, r in enumerate(rows) if any(r))
        headers = rows[header_index]
        columns = resolve_columns(headers, mapping)
        body = rows[header_index + 1 :]
        if not any(any(r) for r in body):
            raise FileRejected("The file has a header row but no alerts.")
        if len(body) > MAX_ROWS:
            raise FileRejected(f"The file has {counted(len(body), 'row')}; import at most {MAX_ROWS:,} at a time.")
    except FileRejected as exc:
        return rejected(exc.as_errors())

    names = {key: headers[i] for key, i in columns.items()}
    errors: list[RowError] = []
    incoming: list[services.IncomingAlert] = []
    cache: list[str] = []
    slack = datetime.timedelta(minutes=CLOCK_SLACK_MINUTES)
    for offset, cells in enumerate(body):
        row_no = header_index + offset + 2
        if not any(cells):
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            i = columns.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        row_errors = []
        when, rule, level = cell("activity_at"), cell("rule"), cell("severity")
        at = None
        if not when:
            row_errors.append(RowError(row_no, names["activity_at"], "", "The time is missing."))
        else:
            try:
                at = parse_timestamp(when, cache=cache)
            except ValueError as exc:
                row_errors.append(RowError(row_no, names["activity_at"], when, f"The time is {exc}."))
        if at is not None and at > now + slack:
            row_errors.append(RowError(row_no, names["activity_at"], when, "The time is in the future."))
        if not rule:
            row_errors.append(RowError(row_no, names["rule"], "", "The rule or category is missing."))
        elif len(rule) > 200:
            row_errors.append(RowError(row_no, names["rule"], rule[:60], "Longer than 200 characters."))
        severity = map_severity(level, severities) if level else None
        if not level:
            row_errors.append(RowError(row_no, names["severity"], "", "The severity is missing."))
        elif severity is None:
            row_errors.append(
                RowError(
                    row_no,
                    names["severity"],
                    level,
                    f"“{level}” is not a level the portal knows for this product: map it on the mapping screen.",
                )
            )
        if not (cell("username") or cell("user_email") or cell("device")):
            row_errors.append(
                RowError(
                    row_no,
                    names.get("username", "User name"),
                    "",
                    "Neither a user name, an email nor a device is given.",
                )
            )
        if row_errors:
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.extend(row_errors)
            continue
        if errors:
            continue
        incoming.append(
            services.IncomingAlert(
                vendor=vendor,
                rule=rule,
                severity=severity,
                vendor_severity=level,
                activity_at=at,
                username=cell("username"),
                user_email=cell("user_email"),
                device=cell("device"),
                captured_text=cell("captured_text"),
                external_id=cell("external_id"),
                suspected_imagery=cell("suspected_imagery").casefold() in _TRUE,
            )
        )
    if errors:
        return rejected(errors)

    with transaction.atomic():
        run = ImportRun.objects.create(
            school=school,
            vendor=vendor,
            uploaded_by=by,
            uploaded_at=now,
            filename=filename[:200],
            sha256=sha,
            status=ImportRun.Status.APPLIED,
            rows=len(incoming),
        )
        received = services.alert_receive(
            school=school, incoming=incoming, channel=Channel.CSV, by=by, import_run=run, received_at=now, page=page
        )
        run.created, run.duplicates = len(received.created), len(received.duplicates)
        run.folded = len(incoming) - run.created - run.duplicates
        run.save(update_fields=["created", "duplicates", "folded"])
        if remember:
            ColumnMapping.objects.update_or_create(
                school=school,
                vendor=vendor,
                defaults={
                    "columns": names,
                    "severities": {
                        k: v for k, v in mapping.severities.items() if default_severities(vendor).get(k) != v
                    },
                    "updated_by": by,
                    "updated_at": now,
                },
            )
    return ImportResult(run)

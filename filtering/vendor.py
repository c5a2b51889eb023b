"""Importing the filtering product's own audit log (CSV or a workbook) and holding it against the approved changes.

Like the MIS import (``schools.importer``): the file is read, every row is checked and every problem is
collected, and only a file without problems is written, in bulk. A rejected file is recorded with its
row-by-row errors and changes nothing else. The column mapping used is kept per school for next time.

Each imported row that is a change (not a sign-in or a report) is matched to an approved request of the
school for the same target, approved before the vendor made the change: rows no request explains are
flagged, and so are applied requests that the vendor's log, over the period it covers, never shows.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.core.words import counted
from safeguarding_portal.schools import importer
from safeguarding_portal.schools.importer import FileRejected, RowError
from safeguarding_portal.schools.models import School

from . import services
from .models import ChangeRequest, EventKind, State, TargetKind, VendorEntry, VendorImport, VendorMapping

LONDON = zoneinfo.ZoneInfo("Europe/London")
MAX_REPORTED_ERRORS = 500
MAX_ROWS = 200_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Vendors' clocks and ours disagree a little; a change logged just before the approval still counts.
CLOCK_SLACK = datetime.timedelta(minutes=15)
_BATCH = 2000

FIELDS = (
    ("timestamp", "Timestamp", ("timestamp", "time", "date", "datetime", "date time", "when", "logged at")),
    ("user", "User", ("user", "username", "admin", "administrator", "changed by", "who", "account")),
    ("action", "Action", ("action", "event", "operation", "activity", "change")),
    ("target", "Target", ("target", "url", "domain", "site", "object", "item", "resource", "value")),
    ("reference", "Reference", ("reference", "ref", "id", "change id", "event id", "ticket")),
)
REQUIRED = ("timestamp", "user", "action", "target")
# Rows whose action has none of these words (sign-ins, exports, searches) are not changes to the filter.
_CHANGE_WORDS = re.compile(
    r"allow|block|unblock|whitelist|blacklist|add|remove|delete|create|modif|update|change|edit|override|"
    r"enable|disable|exempt|permit|deny",
    re.IGNORECASE,
)
_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
)


def read_table(*, data: bytes, sheet: str = "") -> list[list[str]]:
    """Rows of the vendor's CSV or workbook, read by the MIS import's rules (schools/importer/reading.py: a stray
    byte anywhere is refused, never re-read as Windows-1252), with a larger size limit: vendor logs are long."""
    return importer.read_table(
        data=data, sheet=sheet, max_bytes=MAX_UPLOAD_BYTES, too_big_advice="Export a shorter period.", csv_advice=""
    )


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Mapping:
    timestamp: str = ""
    user: str = ""
    action: str = ""
    target: str = ""
    reference: str = ""

    def get(self, key: str) -> str:
        return getattr(self, key)


def saved_mapping(school: School) -> Mapping:
    saved = VendorMapping.objects.filter(school=school).first()
    if saved is None:
        return Mapping()
    return Mapping(
        saved.timestamp_column, saved.user_column, saved.action_column, saved.target_column, saved.reference_column
    )


def resolve_columns(headers: list[str], mapping: Mapping) -> dict[str, int]:
    """Column index per field: the name given at import, else a known spelling. Raises with every problem."""
    by_norm = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(_norm(h), i)
    columns: dict[str, int] = {}
    problems = []
    for key, label, spellings in FIELDS:
        wanted = mapping.get(key).strip()
        if wanted:
            if _norm(wanted) in by_norm:
                columns[key] = by_norm[_norm(wanted)]
            else:
                problems.append(f"There is no column called “{wanted}” for the {label.lower()}.")
            continue
        found = next((by_norm[_norm(s)] for s in spellings if _norm(s) in by_norm), None)
        if found is not None:
            columns[key] = found
        elif key in REQUIRED:
            problems.append(f"Say which column holds the {label.lower()}.")
    if problems:
        shown = ", ".join(f"“{h}”" for h in headers if h) or "none"
        raise FileRejected(*problems, f"The file's first row has these columns: {shown}.")
    return columns


def parse_timestamp(value: str, *, cache: list[str]) -> datetime.datetime:
    """ISO 8601 or UK day-first; naive times are UK local time. ``cache`` remembers the format that worked."""
    text = value.strip().replace("Z", "+00:00")
    for fmt in cache:
        try:
            parsed = datetime.datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        parsed = None
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            for fmt in _FORMATS:
                try:
                    parsed = datetime.datetime.strptime(text, fmt)
                    cache[:] = [fmt]
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise ValueError("not a date and time the portal recognises (use 2026-09-14 13:05 or 14/09/2026 13:05)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON)
    return parsed


@dataclass
class ImportResult:
    vendor_import: VendorImport
    errors: list[RowError] = field(default_factory=list)
    unexplained: int = 0

    @property
    def ok(self) -> bool:
        return self.vendor_import.status == VendorImport.Status.APPLIED


def _explainers(school: School) -> dict[str, list[ChangeRequest]]:
    """Approved requests by normalised target (and by host for whole-site requests)."""
    found: dict[str, list[ChangeRequest]] = defaultdict(list)
    requests = ChangeRequest.objects.filter(
        school=school, state__in=[State.APPROVED, State.APPLIED, State.REVERTED]
    ).only("pk", "target", "target_kind", "decided_at", "reverted_at")
    for change in requests:
        key = services.normalise_target(change.target)
        found[key].append(change)
        if change.target_kind == TargetKind.DOMAIN:
            found[f"host:{services.host_of(change.target)}"].append(change)
    return found


def explain(entry_key: str, at: datetime.datetime, explainers: dict[str, list[ChangeRequest]]) -> int | None:
    host = entry_key.split("/", 1)[0]
    for change in (*explainers.get(entry_key, ()), *explainers.get(f"host:{host}", ())):
        # Approved before the vendor made the change; a revert (or a late one) still belongs to it.
        if change.decided_at - CLOCK_SLACK <= at:
            return change.pk
    return None


def _check_row(
    cells: list[str],
    *,
    row_no: int,
    columns: dict[str, int],
    names: dict[str, str],
    now: datetime.datetime,
    cache: list[str],
) -> tuple[list[RowError], datetime.datetime | None, tuple[str, str, str]]:
    """One row's problems, its time and its (user, action, target)."""

    def cell(key: str) -> str:
        i = columns.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    when_text, user, action, target = cell("timestamp"), cell("user"), cell("action"), cell("target")
    row_errors = []
    at = None
    if not when_text:
        row_errors.append(RowError(row_no, names["timestamp"], "", "The time is missing."))
    else:
        try:
            at = parse_timestamp(when_text, cache=cache)
        except ValueError as exc:
            row_errors.append(RowError(row_no, names["timestamp"], when_text, f"The time is {exc}."))
    if at is not None and at > now + CLOCK_SLACK:
        row_errors.append(RowError(row_no, names["timestamp"], when_text, "The time is in the future."))
    for key, value, limit in (("user", user, 200), ("action", action, 100), ("target", target, 500)):
        if not value:
            row_errors.append(RowError(row_no, names[key], "", f"The {key} is missing."))
        elif len(value) > limit:
            row_errors.append(RowError(row_no, names[key], value, f"Longer than {limit} characters."))
    return row_errors, at, (user, action, target)


def import_vendor_log(
    *,
    school: School,
    by: User,
    data: bytes,
    filename: str,
    mapping: Mapping,
    remember: bool = True,
    product: str = "",
    sheet: str = "",
) -> ImportResult:
    """Check every row; import all of them or none. The run is recorded either way."""
    now = timezone.now()
    sha = hashlib.sha256(data).hexdigest()
    errors: list[RowError] = []
    entries: list[VendorEntry] = []
    try:
        rows = read_table(data=data, sheet=sheet)
        header_index = next(i for i, r in enumerate(rows) if any(r))
        headers = rows[header_index]
        columns = resolve_columns(headers, mapping)
        body = rows[header_index + 1 :]
        if not any(any(r) for r in body):
            raise FileRejected("The file has a header row but no entries.")
        if len(body) > MAX_ROWS:
            raise FileRejected(f"The file has {counted(len(body), 'row')}; import at most {MAX_ROWS} at a time.")
    except FileRejected as exc:
        run = VendorImport.objects.create(
            school=school,
            uploaded_by=by,
            uploaded_at=now,
            filename=filename[:200],
            sha256=sha,
            status=VendorImport.Status.REJECTED,
            errors=[e.as_dict() for e in exc.as_errors()],
        )
        return ImportResult(run, exc.as_errors())

    explainers = _explainers(school)
    cache: list[str] = []
    names = {key: headers[i] for key, i in columns.items()}
    ref_col = columns.get("reference")
    for offset, cells in enumerate(body):
        row_no = header_index + offset + 2  # the header is row header_index + 1 in a spreadsheet
        if not any(cells):
            continue
        row_errors, at, (user, action, target) = _check_row(
            cells, row_no=row_no, columns=columns, names=names, now=now, cache=cache
        )
        if row_errors:
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.extend(row_errors)
            continue
        if errors:
            continue  # the file will be rejected; keep checking rows, skip building entries
        key = services.normalise_target(target)
        is_change = bool(_CHANGE_WORDS.search(action))
        entries.append(
            VendorEntry(
                school=school,
                row=row_no,
                at=at,
                user=user,
                action=action,
                target=target,
                target_key=key[:500],
                reference=(cells[ref_col].strip()[:120] if ref_col is not None and ref_col < len(cells) else ""),
                is_change=is_change,
                explained_by_id=explain(key, at, explainers) if is_change else None,
            )
        )

    if errors:
        run = VendorImport.objects.create(
            school=school,
            uploaded_by=by,
            uploaded_at=now,
            filename=filename[:200],
            sha256=sha,
            status=VendorImport.Status.REJECTED,
            errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
        )
        return ImportResult(run, errors)

    with transaction.atomic():
        run = VendorImport.objects.create(
            school=school,
            uploaded_by=by,
            uploaded_at=now,
            filename=filename[:200],
            sha256=sha,
            status=VendorImport.Status.APPLIED,
            rows=len(entries),
            covers_from=min(e.at for e in entries),
            covers_to=max(e.at for e in entries),
        )
        for e in entries:
            e.vendor_import = run
        VendorEntry.objects.bulk_create(entries, batch_size=_BATCH)
        if remember:
            VendorMapping.objects.update_or_create(
                school=school,
                defaults={
                    "timestamp_column": names["timestamp"],
                    "user_column": names["user"],
                    "action_column": names["action"],
                    "target_column": names["target"],
                    "reference_column": names.get("reference", ""),
                    "product": product[:100],
                },
            )
        unexplained = sum(1 for e in entries if e.is_change and e.explained_by_id is None)
        services._event(
            school=school,
            kind=EventKind.VENDOR_IMPORT,
            actor=by,
            summary=(
                f"Vendor log imported: {counted(len(entries), 'row')} from "
                f"{run.covers_from:%d %b %Y} to {run.covers_to:%d %b %Y}, "
                f"{counted(unexplained, 'change')} no approved request explains"
            ),
            data={"import": run.pk, "sha256": sha, "rows": len(entries), "unexplained": unexplained},
        )
    return ImportResult(run, [], unexplained)


# --- Reconciliation -----------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    covers_from: datetime.datetime | None
    covers_to: datetime.datetime | None
    # Each with its ``follow_up`` (or None): what was done about it. Those still to follow up come first.
    unexplained: list[VendorEntry]
    unexplained_count: int
    to_follow_up_count: int
    never_seen: list[ChangeRequest]


def reconciliation(*, school: School, limit: int = 200) -> Reconciliation:
    """Vendor changes no approved request explains (with what was done about each), and applied requests the
    vendor's log never shows."""
    applied = VendorImport.objects.filter(school=school, status=VendorImport.Status.APPLIED)
    span = applied.aggregate(start=Min("covers_from"), end=Max("covers_to"))
    unexplained_qs = VendorEntry.objects.filter(
        school=school, vendor_import__status=VendorImport.Status.APPLIED, is_change=True, explained_by__isnull=True
    )
    to_follow_up = unexplained_qs.filter(follow_up__isnull=True)
    counts = unexplained_qs.aggregate(all=Count("pk"), open=Count("pk", filter=Q(follow_up__isnull=True)))
    never_seen: list[ChangeRequest] = []
    if span["start"] is not None:
        # Only over the period the imported logs cover: vendors keep a month or so, older changes are not missing.
        seen = VendorEntry.objects.filter(school=school, explained_by__isnull=False).values("explained_by_id")
        never_seen = list(
            ChangeRequest.objects.filter(
                school=school,
                state__in=[State.APPLIED, State.REVERTED],
                applied_at__gte=span["start"] - CLOCK_SLACK,
                applied_at__lte=span["end"] + CLOCK_SLACK,
            )
            .exclude(pk__in=seen)
            .select_related("applied_by")
            .order_by("-applied_at")[:limit]
        )
    shown = list(to_follow_up.order_by("-at")[:limit])
    for entry in shown:
        entry.done = None  # read by the page; spares a query per row for the missing reverse one-to-one
    if len(shown) < limit:
        followed = list(
            unexplained_qs.filter(follow_up__isnull=False)
            .select_related("follow_up__by", "follow_up__change")
            .order_by("-at")[: limit - len(shown)]
        )
        for entry in followed:
            entry.done = entry.follow_up
        shown += followed
    return Reconciliation(span["start"], span["end"], shown, counts["all"], counts["open"], never_seen)

"""The whole import: validate, check the leavers, apply, and record an ``ImportRun`` either way."""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record

from ..models import ImportRun, School
from .pupils import apply_pupils, leavers_if_applied, too_many_leavers, validate_pupils
from .reading import FileRejected, RowError
from .staff import apply_staff, validate_staff

log = logging.getLogger("safeguarding_portal.schools.importer")


# Enough to fix a file from; a file with more problems than this is the wrong file.
MAX_REPORTED_ERRORS = 1000


# --- The whole import -----------------------------------------------------------------------------------


def _safe_filename(name: str) -> str:
    return os.path.basename(name.replace("\\", "/"))[:255]


def _reject(
    *,
    school: School,
    kind: str,
    by: User | None,
    filename: str,
    digest: str,
    errors: list[RowError],
    data_rows: int = 0,
    details: dict[str, Any] | None = None,
) -> ImportRun:
    return ImportRun.objects.create(
        school=school,
        kind=kind,
        uploaded_by=by,
        filename=filename,
        sha256=digest,
        status=ImportRun.Status.REJECTED,
        rows=data_rows,
        error_count=len(errors),
        errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
        details=details or {},
    )


@transaction.atomic
def import_people(
    *,
    school: School,
    kind: str,
    data: bytes,
    filename: str = "",
    by: User | None = None,
    origin: Origin | None = None,
    end_missing_staff: bool = False,
    allow_many_leavers: bool = False,
    today: datetime.date | None = None,
    sheet: str = "",
) -> ImportRun:
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
        validation = (
            validate_pupils(data=data, today=today, sheet=sheet)
            if kind == ImportRun.Kind.PUPILS
            else validate_staff(data=data, sheet=sheet)
        )
    except FileRejected as exc:
        return _reject(school=school, kind=kind, by=by, filename=filename, digest=digest, errors=exc.as_errors())
    details: dict[str, Any] = {"ignored_columns": validation.ignored_columns}
    if validation.errors:
        return _reject(
            school=school,
            kind=kind,
            by=by,
            filename=filename,
            digest=digest,
            errors=validation.errors,
            data_rows=validation.data_rows,
            details=details,
        )
    plan = validation.plan
    if kind == ImportRun.Kind.PUPILS and not allow_many_leavers:
        on_roll, leaving = leavers_if_applied(school=school, plan=plan)
        if too_many_leavers(on_roll=on_roll, leaving=leaving):
            error = RowError(
                None,
                "",
                "",
                (
                    f"This file would mark {leaving} of the {on_roll} pupils on roll as left, because they are not in "
                    "it. If this is part of the school (one class or year), export every pupil on roll instead. If "
                    "they really have left, tick “Yes, mark pupils missing from the file as left” and upload again."
                ),
            )
            return _reject(
                school=school,
                kind=kind,
                by=by,
                filename=filename,
                digest=digest,
                errors=[error],
                data_rows=validation.data_rows,
                details={**details, "would_leave": leaving},
            )
    try:
        with transaction.atomic():
            if kind == ImportRun.Kind.PUPILS:
                outcome = apply_pupils(school=school, plan=plan, today=today)
            else:
                outcome = apply_staff(
                    school=school, plan=plan, by=by, origin=origin, end_missing=end_missing_staff, today=today
                )
    except (DatabaseError, ProtectedError, ValidationError):
        # The database refused part of the change (another import at the same moment, or a record another
        # part of the portal protects): nothing was written, and the user hears so rather than seeing a 500.
        log.exception("MIS import for school %s could not be saved", school.pk)
        error = RowError(
            None,
            "",
            "",
            "The portal could not save this import, so nothing was changed. "
            "Please try again in a minute; if it happens again, tell the portal's administrator.",
        )
        return _reject(
            school=school,
            kind=kind,
            by=by,
            filename=filename,
            digest=digest,
            errors=[error],
            data_rows=validation.data_rows,
            details=details,
        )
    run = ImportRun.objects.create(
        school=school,
        kind=kind,
        uploaded_by=by,
        filename=filename,
        sha256=digest,
        status=ImportRun.Status.APPLIED,
        rows=validation.data_rows,
        created=outcome.created,
        updated=outcome.updated,
        left=outcome.left,
        unchanged=outcome.unchanged,
        details={**details, **outcome.details},
    )
    counts = {"created": run.created, "updated": run.updated, "left": run.left, "unchanged": run.unchanged}
    audit_record(
        action=AuditAction.PEOPLE_IMPORTED,
        origin=origin,
        actor=by,
        school=school,
        obj=run,
        summary=f"{run.get_kind_display()} imported from {filename or 'a file'}: {run.created} created, "
        f"{run.updated} updated, {run.left} {'marked as left' if kind == ImportRun.Kind.PUPILS else 'roles ended'}",
        detail={
            "kind": kind,
            "filename": filename,
            "sha256": digest,
            "rows": run.rows,
            **counts,
            **{k: v for k, v in outcome.details.items() if k != "left_ids"},
        },
    )
    return run

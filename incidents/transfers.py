"""Child-protection files for a pupil's new school: produce, record sending, record the receipt.

KCSiE expects the file to reach the new school within five school days; a transfer not confirmed by then
shows on the DSL's dashboard. Each step is recorded once and never edited back: the record is evidence.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from safeguarding_portal.accounts.context import acting_as
from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.core.builds import BuildState, reclaim_if_stale
from safeguarding_portal.core.builds import pending_q as builds_pending_q
from safeguarding_portal.core.builds import run as run_build
from safeguarding_portal.core.pdf import render_pdf
from safeguarding_portal.outbox.services import enqueue
from safeguarding_portal.schools.models import Pupil, School, Term

from . import chronology
from .models import CPFileTransfer, TransferMethod

CONFIRM_WITHIN_SCHOOL_DAYS = 5


def add_school_days(*, school: School, start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th school day after ``start`` (not counting ``start`` itself).

    A school day is a weekday inside one of the school's terms. With no terms recorded, or past the last
    recorded term (next year's dates not entered yet), every weekday counts: a deadline must always exist,
    and ``school_days_note`` says so wherever the deadline is shown.
    """
    terms = list(Term.objects.filter(school=school, ends_on__gte=start).values_list("starts_on", "ends_on"))
    last_term_end = max((end for _, end in terms), default=None)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        if last_term_end is None or day > last_term_end or any(s <= day <= e for s, e in terms):
            counted += 1
    return day


def school_days_note(*, school: School, start: datetime.date, end: datetime.date) -> str:
    """Plain words for a deadline counted without term dates (empty when the terms cover it)."""
    last_term_end = Term.objects.filter(school=school).order_by("-ends_on").values_list("ends_on", flat=True).first()
    if last_term_end is None:
        return "no term dates are entered, so every weekday counted as a school day"
    if end > last_term_end:
        return (
            f"term dates after {last_term_end:%-d %b %Y} are not entered, so every weekday after it "
            "counted as a school day"
        )
    return ""


def _audit(*, origin: Origin | None, actor: User, school: School, obj, summary: str, detail: dict) -> None:
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        origin=origin,
        actor=actor,
        school=school,
        obj=obj,
        summary=summary,
        detail=detail,
    )


BUILD_TASK = "incidents.build_cp_file"


@transaction.atomic
def cp_file_produce(*, school: School, pupil: Pupil, by: User, origin: Origin | None = None) -> CPFileTransfer:
    """Ask for the CP file: the row, "being prepared", and its build task (through the outbox, in this
    transaction). The PDF (17 s for a large file) is built by ``cp_file_build`` in the background. Asking again
    while one is being prepared (a double click, a reload of the POST) returns that one; once it is built, asking
    again makes a new file (the records may have changed)."""
    if pupil.school_id != school.pk:
        raise ValidationError("That pupil is not at this school.")
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()  # two presses at once: one waits for the other
    now = timezone.now()
    existing = CPFileTransfer.objects.filter(builds_pending_q(), school=school, pupil=pupil).order_by("-pk").first()
    if existing is not None:
        reclaim_if_stale(existing, task=BUILD_TASK, transfer_id=existing.pk)  # its worker died: start it again
        return existing
    transfer = CPFileTransfer.objects.create(
        school=school, pupil=pupil, produced_at=now, requested_at=now, produced_by=by, build_state=BuildState.QUEUED
    )
    _audit(
        origin=origin,
        actor=by,
        school=school,
        obj=pupil,
        summary=f"Child-protection file asked for, pupil {pupil.upn}",
        detail={"export": "cp_file_pdf", "transfer": transfer.pk, "requested_at": now.isoformat()},
    )
    enqueue(BUILD_TASK, transfer_id=transfer.pk)
    return transfer


def cp_file_build(*, transfer_id: int) -> CPFileTransfer:
    """The task's work: build the PDF from the cases the person who asked may see, store it through the storage
    API with its SHA-256, mark it ready and audit it (who asked, when, when built). Idempotent (core.builds)."""
    return run_build(CPFileTransfer, transfer_id, _build_cp_file)


def _build_cp_file(transfer: CPFileTransfer) -> None:
    school, pupil, by = transfer.school, transfer.pupil, transfer.produced_by
    at = timezone.now()
    items = chronology.pupil_chronology(portal=acting_as(user=by, school=school), pupil=pupil)
    context = chronology.pdf_context(
        school=school, pupil=pupil, items=items, user=by, title="Child-protection file", at=at
    )
    pdf = render_pdf(template="incidents/pdf/cp_file.html", context=context).content
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        transfer = CPFileTransfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.build_state != BuildState.BUILDING:
            return  # reclaimed by another worker meanwhile: that build finishes it
        # FieldFile.save goes through the default storage, and saves the row with the stored name.
        transfer.pdf.save("cp-file.pdf", ContentFile(pdf), save=False)
        transfer.sha256, transfer.incident_count, transfer.produced_at = digest, len(items), at
        transfer.build_state = BuildState.READY
        transfer.save()
        _audit(
            origin=None,
            actor=by,
            school=school,
            obj=pupil,
            summary=f"Child-protection file produced for pupil {pupil.upn}",
            detail={
                "export": "cp_file_pdf",
                "transfer": transfer.pk,
                "sha256": digest,
                "cases": len(items),
                "requested_by": by.pk,
                "requested_at": transfer.requested_at.isoformat() if transfer.requested_at else None,
                "built_at": at.isoformat(),
                "builds": transfer.builds,
            },
        )


def _locked(transfer: CPFileTransfer) -> CPFileTransfer:
    return CPFileTransfer.objects.select_for_update().get(pk=transfer.pk)


@transaction.atomic
def cp_file_sent(
    *,
    transfer: CPFileTransfer,
    by: User,
    sent_at: datetime.datetime,
    method: str,
    receiving_school: str,
    receiving_urn: str = "",
    receiving_contact: str = "",
    notes: str = "",
    origin: Origin | None = None,
) -> CPFileTransfer:
    transfer = _locked(transfer)
    if transfer.build_state != BuildState.READY:
        raise ValidationError("The file is still being prepared: record sending once it is ready.")
    if transfer.sent_at is not None:
        raise ValidationError("Sending was already recorded for this file; it cannot be recorded again.")
    if method not in TransferMethod.values:
        raise ValidationError({"method": "Choose how the file was sent."})
    if not receiving_school.strip():
        raise ValidationError({"receiving_school": "Name the school the file was sent to."})
    if sent_at > timezone.now():
        raise ValidationError({"sent_at": "That time is in the future."})
    # Forms give times to the minute: a file sent in the minute it was produced is fine.
    if sent_at < transfer.produced_at.replace(second=0, microsecond=0):
        raise ValidationError({"sent_at": "The file cannot have been sent before it was produced."})
    transfer.sent_at = sent_at
    transfer.sent_by = by
    transfer.method = method
    transfer.receiving_school = receiving_school.strip()
    transfer.receiving_urn = receiving_urn.strip()
    transfer.receiving_contact = receiving_contact.strip()
    transfer.confirm_by = add_school_days(
        school=transfer.school, start=timezone.localtime(sent_at).date(), days=CONFIRM_WITHIN_SCHOOL_DAYS
    )
    if notes.strip():
        transfer.notes = _append_note(transfer.notes, by=by, text=notes)
    transfer.save()
    _audit(
        origin=origin,
        actor=by,
        school=transfer.school,
        obj=transfer,
        summary=f"Child-protection file sent to {transfer.receiving_school}",
        detail={"method": method, "urn": transfer.receiving_urn, "confirm_by": transfer.confirm_by.isoformat()},
    )
    return transfer


@transaction.atomic
def cp_file_confirmed(
    *,
    transfer: CPFileTransfer,
    by: User,
    confirmed_at: datetime.datetime,
    confirmed_by_name: str,
    notes: str = "",
    origin: Origin | None = None,
) -> CPFileTransfer:
    transfer = _locked(transfer)
    if transfer.sent_at is None:
        raise ValidationError("Record how the file was sent before recording that it arrived.")
    if transfer.confirmed_at is not None:
        raise ValidationError("Receipt was already recorded for this file; it cannot be recorded again.")
    if not confirmed_by_name.strip():
        raise ValidationError({"confirmed_by_name": "Name the person at the new school who confirmed receipt."})
    if confirmed_at > timezone.now():
        raise ValidationError({"confirmed_at": "That time is in the future."})
    if confirmed_at < transfer.sent_at.replace(second=0, microsecond=0):
        raise ValidationError({"confirmed_at": "Receipt cannot be confirmed before the file was sent."})
    transfer.confirmed_at = confirmed_at
    transfer.confirmed_by_name = confirmed_by_name.strip()
    transfer.confirmation_recorded_by = by
    if notes.strip():
        transfer.notes = _append_note(transfer.notes, by=by, text=notes)
    transfer.save()
    _audit(
        origin=origin,
        actor=by,
        school=transfer.school,
        obj=transfer,
        summary=f"Receipt of child-protection file confirmed by {transfer.receiving_school}",
        detail={"confirmed_by": transfer.confirmed_by_name},
    )
    return transfer


def _append_note(existing: str, *, by: User, text: str) -> str:
    # Notes only grow: each is stamped with who wrote it and when, earlier ones are kept as they were.
    stamp = f"[{timezone.localtime():%d %b %Y %H:%M} {by.full_name or by.email}] {text.strip()}"
    return f"{existing}\n{stamp}" if existing else stamp


# --- Reads ---------------------------------------------------------------------------------------------


def transfers_for(*, school: School) -> QuerySet[CPFileTransfer]:
    return CPFileTransfer.objects.filter(school=school).select_related("pupil", "produced_by", "sent_by")


def transfer_for(*, school: School, transfer_id: int) -> CPFileTransfer | None:
    return transfers_for(school=school).filter(pk=transfer_id).first()


def awaiting_confirmation(*, school: School) -> QuerySet[CPFileTransfer]:
    return transfers_for(school=school).filter(sent_at__isnull=False, confirmed_at__isnull=True).order_by("confirm_by")


def overdue(*, school: School, today: datetime.date | None = None) -> QuerySet[CPFileTransfer]:
    return awaiting_confirmation(school=school).filter(confirm_by__lt=today or timezone.localdate())


def counts(*, school: School, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return CPFileTransfer.objects.filter(school=school).aggregate(
        awaiting=Count("pk", filter=Q(sent_at__isnull=False, confirmed_at__isnull=True)),
        overdue=Count("pk", filter=Q(sent_at__isnull=False, confirmed_at__isnull=True, confirm_by__lt=today)),
        not_sent=Count("pk", filter=Q(sent_at__isnull=True)),
    )

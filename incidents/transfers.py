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
from safeguarding_portal.core.pdf import render_pdf
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


@transaction.atomic
def cp_file_produce(*, school: School, pupil: Pupil, by: User, origin: Origin | None = None) -> CPFileTransfer:
    """Build the CP file PDF from the cases ``by`` may see at ``school``, store it with its SHA-256, and audit it."""
    if pupil.school_id != school.pk:
        raise ValidationError("That pupil is not at this school.")
    at = timezone.now()
    items = chronology.pupil_chronology(portal=acting_as(user=by, school=school), pupil=pupil)
    context = chronology.pdf_context(
        school=school, pupil=pupil, items=items, user=by, title="Child-protection file", at=at
    )
    pdf = render_pdf(template="incidents/pdf/cp_file.html", context=context).content
    digest = hashlib.sha256(pdf).hexdigest()
    transfer = CPFileTransfer(
        school=school, pupil=pupil, produced_at=at, produced_by=by, sha256=digest, incident_count=len(items)
    )
    # FieldFile.save goes through the default storage, and saves the row with the stored name.
    transfer.pdf.save("cp-file.pdf", ContentFile(pdf), save=False)
    transfer.save()
    _audit(
        origin=origin,
        actor=by,
        school=school,
        obj=pupil,
        summary=f"Child-protection file produced for pupil {pupil.upn}",
        detail={"export": "cp_file_pdf", "transfer": transfer.pk, "sha256": digest, "cases": len(items)},
    )
    return transfer


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

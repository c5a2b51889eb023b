"""Writes about schools and pupils: a trust adding a school without a developer; pupils' vulnerability flags."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record

from .models import ImportRun, Pupil, PupilFlag, School, Trust


@transaction.atomic
def school_add(*, trust: Trust, form, terms, contacts, by, request=None) -> School:
    """Create the school with its term dates and contacts (forms already valid), all or nothing."""
    school = form.save(commit=False)
    school.trust = trust
    school.save()
    terms.instance = school
    terms.save()
    contacts.instance = school
    contacts.save()
    audit_record(action=AuditAction.SCHOOL_UPDATED, actor=by, request=request, school=school, obj=school,
                 summary=f"{school.name} (URN {school.urn}) added to {trust} with {school.terms.count()} term(s) "
                         f"and {school.contacts.count()} contact(s)")
    return school


def staff_import(*, school: School, upload, by, request=None) -> ImportRun:
    """The staff list through the MIS import, exactly as the school's own import page runs it."""
    from .importer import import_people

    return import_people(school=school, kind=ImportRun.Kind.STAFF, data=upload.read(), filename=upload.name,
                         by=by, request=request)


def _flag_words(flag: PupilFlag) -> str:
    until = f" to {flag.ends_on:%d/%m/%Y}" if flag.ends_on else " (open)"
    return f"{flag.get_kind_display()} from {flag.starts_on:%d/%m/%Y}{until}"


def _flag_detail(flag: PupilFlag) -> dict:
    return {"kind": flag.kind, "starts_on": flag.starts_on.isoformat(),
            "ends_on": flag.ends_on.isoformat() if flag.ends_on else None, "source": flag.source}


@transaction.atomic
def flag_add(*, school: School, user, pupil: Pupil, kind: str, starts_on: datetime.date,
             ends_on: datetime.date | None, request=None) -> PupilFlag:
    """The DSL team records a flag the MIS does not have yet (or never will). Raises ValidationError."""
    if pupil.school_id != school.pk:
        raise ValidationError("That pupil is not at this school.")
    flag = PupilFlag(pupil=pupil, kind=kind, starts_on=starts_on, ends_on=ends_on, source=PupilFlag.Source.DSL,
                     recorded_by=user)
    flag.full_clean()
    flag.save()
    audit_record(action=AuditAction.PUPIL_FLAG_CHANGED, request=request, actor=user, school=school, obj=flag,
                 summary=f"Flag added for UPN {pupil.upn}: {_flag_words(flag)}",
                 detail={"pupil": pupil.pk, "change": "added", "after": _flag_detail(flag)})
    return flag


@transaction.atomic
def flag_change(*, school: School, user, flag: PupilFlag, starts_on: datetime.date,
                ends_on: datetime.date | None, request=None) -> PupilFlag:
    """New dates for one period (ending it, or correcting it), with the old and new dates in the audit log."""
    flag = PupilFlag.objects.select_for_update().select_related("pupil").get(pk=flag.pk, pupil__school=school)
    before = _flag_detail(flag)
    flag.starts_on, flag.ends_on, flag.recorded_by = starts_on, ends_on, user
    flag.full_clean()
    flag.save()
    audit_record(action=AuditAction.PUPIL_FLAG_CHANGED, request=request, actor=user, school=school, obj=flag,
                 summary=f"Flag changed for UPN {flag.pupil.upn}: {_flag_words(flag)}",
                 detail={"pupil": flag.pupil_id, "change": "changed", "before": before, "after": _flag_detail(flag)})
    return flag


@transaction.atomic
def flag_remove(*, school: School, user, flag: PupilFlag, request=None) -> None:
    """A period recorded in error. The audit log keeps what it said (an ended flag is changed, not removed)."""
    flag = PupilFlag.objects.select_for_update().select_related("pupil").get(pk=flag.pk, pupil__school=school)
    before = _flag_detail(flag)
    audit_record(action=AuditAction.PUPIL_FLAG_CHANGED, request=request, actor=user, school=school, obj=flag,
                 summary=f"Flag removed for UPN {flag.pupil.upn}: {_flag_words(flag)}",
                 detail={"pupil": flag.pupil_id, "change": "removed", "before": before})
    flag.delete()

"""Writes about schools and pupils: their details, contacts and term dates, a trust adding a school, and
pupils' vulnerability flags.

Each saves its (already valid) form and records the audit event in one transaction: both or neither. Like
every service they take the user and the school; the request stays in the view, which passes its ``Origin``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record

from .importer import import_people
from .models import ImportRun, Pupil, PupilFlag, School, Trust


def _same_school(school: School, instance: School) -> None:
    # A form bound to another school would write there while the audit named this one.
    if instance.pk != school.pk:
        raise ValueError("The form is bound to another school.")


@transaction.atomic
def school_details_save(*, school: School, user: User, form, origin: Origin | None = None) -> School:
    """The school's name, local authority, address and phone (``SchoolDetailsForm``)."""
    _same_school(school, form.instance)
    stored = School.objects.filter(pk=school.pk).values_list("parent_languages", flat=True).first()
    languages_before = list(stored or [])
    form.save()
    detail: dict = {"fields": form.changed_data}
    if "parent_languages" in form.changed_data:
        detail["parent_languages"] = {"from": languages_before, "to": list(form.instance.parent_languages)}
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=user,
        school=school,
        origin=origin,
        obj=school,
        summary="School details changed",
        detail=detail,
    )
    return school


def _formset_save(*, school: School, user: User, formset, origin: Origin | None, summary: str) -> None:
    _same_school(school, formset.instance)
    formset.save()
    audit_record(
        action=AuditAction.SCHOOL_UPDATED, actor=user, school=school, origin=origin, obj=school, summary=summary
    )


@transaction.atomic
def school_contacts_save(*, school: School, user: User, formset, origin: Origin | None = None) -> None:
    """The safeguarding contacts (``ContactFormSet``)."""
    _formset_save(school=school, user=user, formset=formset, origin=origin, summary="Safeguarding contacts changed")


@transaction.atomic
def school_terms_save(*, school: School, user: User, formset, origin: Origin | None = None) -> None:
    """The term dates (``TermFormSet``)."""
    _formset_save(school=school, user=user, formset=formset, origin=origin, summary="Term dates changed")


@transaction.atomic
def school_add(*, trust: Trust, form, terms, contacts, user: User, origin: Origin | None = None) -> School:
    """Create the school with its term dates and contacts (forms already valid), all or nothing."""
    school = form.save(commit=False)
    school.trust = trust
    school.save()
    terms.instance = school
    terms.save()
    contacts.instance = school
    contacts.save()
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        actor=user,
        origin=origin,
        school=school,
        obj=school,
        summary=f"{school.name} (URN {school.urn}) added to {trust} with {school.terms.count()} term(s) "
        f"and {school.contacts.count()} contact(s)",
    )
    return school


def staff_import(*, school: School, upload, user: User, origin: Origin | None = None) -> ImportRun:
    """The staff list through the MIS import, exactly as the school's own import page runs it."""
    return import_people(
        school=school, kind=ImportRun.Kind.STAFF, data=upload.read(), filename=upload.name, by=user, origin=origin
    )


def _flag_words(flag: PupilFlag) -> str:
    until = f" to {flag.ends_on:%d/%m/%Y}" if flag.ends_on else " (open)"
    return f"{flag.get_kind_display()} from {flag.starts_on:%d/%m/%Y}{until}"


def _flag_detail(flag: PupilFlag) -> dict:
    return {
        "kind": flag.kind,
        "starts_on": flag.starts_on.isoformat(),
        "ends_on": flag.ends_on.isoformat() if flag.ends_on else None,
        "source": flag.source,
    }


@transaction.atomic
def flag_add(
    *,
    school: School,
    user,
    pupil: Pupil,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    origin: Origin | None = None,
) -> PupilFlag:
    """The DSL team records a flag the MIS does not have yet (or never will). Raises ValidationError."""
    if pupil.school_id != school.pk:
        raise ValidationError("That pupil is not at this school.")
    flag = PupilFlag(
        pupil=pupil, kind=kind, starts_on=starts_on, ends_on=ends_on, source=PupilFlag.Source.DSL, recorded_by=user
    )
    flag.full_clean()
    flag.save()
    audit_record(
        action=AuditAction.PUPIL_FLAG_CHANGED,
        origin=origin,
        actor=user,
        school=school,
        obj=flag,
        summary=f"Flag added for UPN {pupil.upn}: {_flag_words(flag)}",
        detail={"pupil": pupil.pk, "change": "added", "after": _flag_detail(flag)},
    )
    return flag


@transaction.atomic
def flag_change(
    *,
    school: School,
    user,
    flag: PupilFlag,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    origin: Origin | None = None,
) -> PupilFlag:
    """New dates for one period (ending it, or correcting it), with the old and new dates in the audit log."""
    flag = PupilFlag.objects.select_for_update().select_related("pupil").get(pk=flag.pk, pupil__school=school)
    before = _flag_detail(flag)
    flag.starts_on, flag.ends_on, flag.recorded_by = starts_on, ends_on, user
    flag.full_clean()
    flag.save()
    audit_record(
        action=AuditAction.PUPIL_FLAG_CHANGED,
        origin=origin,
        actor=user,
        school=school,
        obj=flag,
        summary=f"Flag changed for UPN {flag.pupil.upn}: {_flag_words(flag)}",
        detail={"pupil": flag.pupil_id, "change": "changed", "before": before, "after": _flag_detail(flag)},
    )
    return flag


@transaction.atomic
def flag_remove(*, school: School, user, flag: PupilFlag, origin: Origin | None = None) -> None:
    """A period recorded in error. The audit log keeps what it said (an ended flag is changed, not removed)."""
    flag = PupilFlag.objects.select_for_update().select_related("pupil").get(pk=flag.pk, pupil__school=school)
    before = _flag_detail(flag)
    audit_record(
        action=AuditAction.PUPIL_FLAG_CHANGED,
        origin=origin,
        actor=user,
        school=school,
        obj=flag,
        summary=f"Flag removed for UPN {flag.pupil.upn}: {_flag_words(flag)}",
        detail={"pupil": flag.pupil_id, "change": "removed", "before": before},
    )
    flag.delete()

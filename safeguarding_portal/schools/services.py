"""Writes about schools themselves: their details, contacts and term dates, and a trust adding a school.

Each saves its (already valid) form and records the audit event in one transaction: both or neither. Like
every service they take the user and the school; the request stays in the view, which passes its ``Origin``.
"""

from __future__ import annotations

from django.db import transaction

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record

from .models import ImportRun, School, Trust


def _same_school(school: School, instance: School) -> None:
    # A form bound to another school would write there while the audit named this one.
    if instance.pk != school.pk:
        raise ValueError("The form is bound to another school.")


@transaction.atomic
def school_details_save(*, school: School, user: User, form, origin: Origin | None = None) -> School:
    """The school's name, local authority, address and phone (``SchoolDetailsForm``)."""
    _same_school(school, form.instance)
    form.save()
    audit_record(action=AuditAction.SCHOOL_UPDATED, actor=user, school=school, origin=origin, obj=school,
                 summary="School details changed", detail={"fields": form.changed_data})
    return school


@transaction.atomic
def school_contacts_save(*, school: School, user: User, formset, origin: Origin | None = None) -> None:
    """The safeguarding contacts (``ContactFormSet``)."""
    _same_school(school, formset.instance)
    formset.save()
    audit_record(action=AuditAction.SCHOOL_UPDATED, actor=user, school=school, origin=origin, obj=school,
                 summary="Safeguarding contacts changed")


@transaction.atomic
def school_terms_save(*, school: School, user: User, formset, origin: Origin | None = None) -> None:
    """The term dates (``TermFormSet``)."""
    _same_school(school, formset.instance)
    formset.save()
    audit_record(action=AuditAction.SCHOOL_UPDATED, actor=user, school=school, origin=origin, obj=school,
                 summary="Term dates changed")


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
    audit_record(action=AuditAction.SCHOOL_UPDATED, actor=user, origin=origin, school=school, obj=school,
                 summary=f"{school.name} (URN {school.urn}) added to {trust} with {school.terms.count()} term(s) "
                         f"and {school.contacts.count()} contact(s)")
    return school


def staff_import(*, school: School, upload, user: User, origin: Origin | None = None) -> ImportRun:
    """The staff list through the MIS import, exactly as the school's own import page runs it."""
    from .importer import import_people

    return import_people(school=school, kind=ImportRun.Kind.STAFF, data=upload.read(), filename=upload.name,
                         by=user, origin=origin)

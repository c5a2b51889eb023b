"""Writes about schools themselves: a trust adding a school without a developer."""

from __future__ import annotations

from django.db import transaction

from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record

from .models import ImportRun, School, Trust


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

"""The school's own procedure checklists per category. Cases snapshot them when reported, so an edit here
changes new cases only; an open case keeps the checklist it started with."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School

from .categories import Category, default_procedure
from .models import ProcedureStep


def procedure_for(*, school: School, category: str) -> tuple[list[tuple[str, bool]], bool]:
    """The steps new cases of ``category`` will get, and whether they are the school's own (else defaults)."""
    own = [(s.text, s.mandatory) for s in ProcedureStep.objects.filter(school=school, category=category)]
    return (own, True) if own else (default_procedure(category), False)


def procedures_overview(*, school: School) -> list[dict]:
    """Every category with its step counts, in one query."""
    own: dict[str, list[bool]] = {}
    for category, mandatory in ProcedureStep.objects.filter(school=school).values_list("category", "mandatory"):
        own.setdefault(category, []).append(mandatory)
    rows = []
    for category in Category:
        flags = own.get(category.value) or [m for _, m in default_procedure(category.value)]
        rows.append(
            {
                "category": category.value,
                "label": category.label,
                "steps": len(flags),
                "mandatory": sum(flags),
                "customised": category.value in own,
            }
        )
    return rows


@transaction.atomic
def procedure_save(
    *, school: School, category: str, steps: list[tuple[str, bool]], by: User, request=None
) -> list[ProcedureStep]:
    if category not in Category.values:
        raise ValidationError("That is not one of the policy's categories.")
    steps = [(text.strip(), mandatory) for text, mandatory in steps if text.strip()]
    if not steps:
        raise ValidationError("A procedure needs at least one step.")
    before, _ = procedure_for(school=school, category=category)
    # Steps are the school's template, not a record: cases keep their own copies (CaseStep), so replacing
    # the template loses nothing. The audit event keeps what it was.
    ProcedureStep.objects.filter(school=school, category=category).delete()
    created = ProcedureStep.objects.bulk_create(
        [
            ProcedureStep(school=school, category=category, order=i, text=text[:300], mandatory=mandatory)
            for i, (text, mandatory) in enumerate(steps, 1)
        ]
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        request=request,
        actor=by,
        school=school,
        summary=f"Procedure for {Category(category).label} changed",
        detail={
            "category": category,
            "before": [[t, m] for t, m in before],
            "after": [[t, m] for t, m in steps],
        },
    )
    return created


@transaction.atomic
def procedure_reset(*, school: School, category: str, by: User, request=None) -> None:
    before, own = procedure_for(school=school, category=category)
    if not own:
        return
    ProcedureStep.objects.filter(school=school, category=category).delete()
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        request=request,
        actor=by,
        school=school,
        summary=f"Procedure for {Category(category).label} reset to the policy's default",
        detail={"category": category, "before": [[t, m] for t, m in before], "after": "default"},
    )

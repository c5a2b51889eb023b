"""The school's own procedure checklists per category. Cases snapshot them when reported, so an edit here
changes new cases only; an open case keeps the checklist it started with.

A step can name the timeline entries that complete it (``COMPLETIONS``): recording a referral to the police
completes "Inform the police via 101", so the DSL records it once and the checklist follows the actions.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.schools.models import School

from .categories import Category, StepSpec, default_procedure
from .models import Agency, EntryKind, ProcedureStep, TimelineEntry

# What can complete a step: key -> how the procedure editor names it. Referral keys follow the agencies.
COMPLETIONS: dict[str, str] = {
    "alert": "The portal's alert to the safeguarding team",
    **{f"referral:{a.value}": f"A referral to {a.label}" for a in Agency},
    "no_referral": "A recorded decision not to refer",
    "parent_contact": "Contact with parents or carers",
    "parent_not_informed": "A recorded decision not to inform parents",
    "device_secured": "Device secured",
    "risk_assessment": "A risk assessment",
    "support": "Support offered",
    "sanction": "A sanction",
    "debrief": "A debrief or review",
}
_BY_KIND = {
    EntryKind.ALERT: "alert",
    EntryKind.NO_REFERRAL: "no_referral",
    EntryKind.PARENT_CONTACT: "parent_contact",
    EntryKind.PARENT_NOT_INFORMED: "parent_not_informed",
    EntryKind.DEVICE_SECURED: "device_secured",
    EntryKind.RISK_ASSESSMENT: "risk_assessment",
    EntryKind.SUPPORT: "support",
    EntryKind.SANCTION: "sanction",
    EntryKind.DEBRIEF: "debrief",
}


COMPLETING_KINDS = frozenset({EntryKind.REFERRAL, *_BY_KIND})


def completion_key(entry: TimelineEntry, *, agency: str | None = None) -> str | None:
    """The COMPLETIONS key an entry satisfies, if any. ``agency``: a referral's agency as corrected since."""
    if entry.kind == EntryKind.REFERRAL:
        return f"referral:{agency or entry.data.get('agency', '')}"
    return _BY_KIND.get(entry.kind)


def completion_labels(keys) -> list[str]:
    return [COMPLETIONS[k] for k in keys if k in COMPLETIONS]


def procedure_for(*, school: School, category: str) -> tuple[list[StepSpec], bool]:
    """The steps new cases of ``category`` will get, and whether they are the school's own (else defaults)."""
    own = [
        StepSpec(s.text, s.mandatory, tuple(s.completed_by))
        for s in ProcedureStep.objects.filter(school=school, category=category)
    ]
    return (own, True) if own else (default_procedure(category), False)


def procedures_overview(*, school: School) -> list[dict]:
    """Every category with its step counts, in one query."""
    own: dict[str, list[bool]] = {}
    for category, mandatory in ProcedureStep.objects.filter(school=school).values_list("category", "mandatory"):
        own.setdefault(category, []).append(mandatory)
    rows = []
    for category in Category:
        flags = own.get(category.value) or [step.mandatory for step in default_procedure(category.value)]
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
    *, school: School, category: str, steps: list[StepSpec], by: User, origin: Origin | None = None
) -> list[ProcedureStep]:
    if category not in Category.values:
        raise ValidationError("That is not one of the policy's categories.")
    steps = [
        StepSpec(step.text.strip(), step.mandatory, tuple(k for k in step.completed_by if k in COMPLETIONS))
        for step in steps
        if step.text.strip()
    ]
    if not steps:
        raise ValidationError("A procedure needs at least one step.")
    before, _ = procedure_for(school=school, category=category)
    # Steps are the school's template, not a record: cases keep their own copies (CaseStep), so replacing
    # the template loses nothing. The audit event keeps what it was.
    ProcedureStep.objects.filter(school=school, category=category).delete()
    created = ProcedureStep.objects.bulk_create(
        [
            ProcedureStep(
                school=school,
                category=category,
                order=i,
                text=step.text[:300],
                mandatory=step.mandatory,
                completed_by=list(step.completed_by),
            )
            for i, step in enumerate(steps, 1)
        ]
    )
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        origin=origin,
        actor=by,
        school=school,
        summary=f"Procedure for {Category(category).label} changed",
        detail={
            "category": category,
            "before": [list(step) for step in before],
            "after": [list(step) for step in steps],
        },
    )
    return created


@transaction.atomic
def procedure_reset(*, school: School, category: str, by: User, origin: Origin | None = None) -> None:
    before, own = procedure_for(school=school, category=category)
    if not own:
        return
    ProcedureStep.objects.filter(school=school, category=category).delete()
    audit_record(
        action=AuditAction.SCHOOL_UPDATED,
        origin=origin,
        actor=by,
        school=school,
        summary=f"Procedure for {Category(category).label} reset to the policy's default",
        detail={"category": category, "before": [list(step) for step in before], "after": "default"},
    )

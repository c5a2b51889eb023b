"""The AI tools register: add a tool, assess it against the DfE generative AI product safety standards,
decide. Adding a tool, or approving one that never opened a review, opens an out-of-cycle review of
filtering and monitoring through filtering's own service (``filtering.services.record_review``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from filtering import services as filtering_services
from filtering.models import FilterReview, ReviewKind, ReviewTrigger
from safeguarding_portal.accounts.models import User
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School

from .models import AIDecision, AIRating, AIStandard, AITool, AIToolStatus, AIUsers

REVIEW_ACTION_DAYS = 14


def _audit(*, tool: AITool, by: User, summary: str, detail: dict) -> None:
    audit_record(
        action=AuditAction.SCHOOL_UPDATED, actor=by, school=tool.school, obj=tool, summary=summary, detail=detail
    )


def _open_review(*, tool: AITool, by: User, why: str) -> FilterReview:
    today = timezone.localdate()
    review = filtering_services.record_review(
        school=tool.school,
        by=by,
        kind=ReviewKind.OUT_OF_CYCLE,
        held_on=today,
        trigger=ReviewTrigger.NEW_TECHNOLOGY,
        trigger_detail=f"AI tool {why}: {tool.name}"[:300],
        findings=(
            f"Opened from the AI tools register when {tool.name} was {why} ({tool.get_used_by_display().lower()}"
            f"{', ' + tool.age_range if tool.age_range else ''}). Check that filtering and monitoring cover "
            f"what it does and the data it sees: {tool.data_seen}"
        ),
        actions=[
            {
                "text": f"Review filtering and monitoring for the AI tool {tool.name}"[:300],
                "owner": by,
                "due_on": today + datetime.timedelta(days=REVIEW_ACTION_DAYS),
            }
        ],
    )
    tool.review = review
    tool.save(update_fields=["review"])
    return review


@transaction.atomic
def add_tool(
    *,
    school: School,
    by: User,
    name: str,
    purpose: str,
    used_by: str,
    data_seen: str,
    supplier: str = "",
    age_range: str = "",
    status: str = AIToolStatus.PROPOSED,
) -> AITool:
    errors = {}
    if not name.strip():
        errors["name"] = "Name the tool."
    if not purpose.strip():
        errors["purpose"] = "Say what it is used for."
    if used_by not in AIUsers.values:
        errors["used_by"] = "Say who uses it."
    if used_by in (AIUsers.PUPILS, AIUsers.BOTH) and not age_range.strip():
        errors["age_range"] = "Say which pupils use it."
    if not data_seen.strip():
        errors["data_seen"] = "Say what data it sees."
    if status not in (AIToolStatus.PROPOSED, AIToolStatus.IN_USE):
        errors["status"] = "A new tool is proposed or already in use."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            tool = AITool.objects.create(
                school=school,
                name=name.strip(),
                supplier=supplier.strip(),
                purpose=purpose.strip(),
                used_by=used_by,
                age_range=age_range.strip(),
                data_seen=data_seen.strip(),
                status=status,
                added_by=by,
                added_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"name": "That tool is on the register already."}) from None
    _audit(
        tool=tool,
        by=by,
        summary=f"AI tool added: {tool.name} ({tool.get_status_display().lower()})",
        detail={"used_by": used_by, "age_range": tool.age_range, "status": status},
    )
    _open_review(tool=tool, by=by, why="added" if status == AIToolStatus.PROPOSED else "added, already in use")
    return tool


@transaction.atomic
def assess(*, tool: AITool, by: User, ratings: dict[str, tuple[str, str]]) -> AITool:
    """``ratings``: {standard: (rating, notes)} for every heading; a heading not met needs a note."""
    errors = {}
    assessment = {}
    for standard in AIStandard:
        rating, notes = ratings.get(standard.value, ("", ""))
        if rating not in AIRating.values:
            errors[standard.value] = f"Rate the tool against “{standard.label}”."
        elif rating != AIRating.MET and not notes.strip():
            errors[standard.value] = f"Say what falls short on “{standard.label}”."
        assessment[standard.value] = {"rating": rating, "notes": notes.strip()[:1000]}
    if errors:
        raise ValidationError(errors)
    tool.assessment, tool.assessed_by, tool.assessed_at = assessment, by, timezone.now()
    tool.save(update_fields=["assessment", "assessed_by", "assessed_at"])
    _audit(tool=tool, by=by, summary=f"AI tool assessed: {tool.name}", detail={"assessment": assessment})
    return tool


@transaction.atomic
def decide(*, tool: AITool, by: User, decision: str, reason: str) -> AITool:
    if decision not in (AIDecision.APPROVED, AIDecision.CONDITIONS, AIDecision.REFUSED):
        raise ValidationError({"decision": "Approve, approve with conditions, or refuse."})
    if not reason.strip():
        raise ValidationError({"reason": "Write down the reason for the decision."})
    if decision != AIDecision.REFUSED and tool.assessed_at is None:
        raise ValidationError("Assess the tool against the product safety standards before approving it.")
    if decision == AIDecision.APPROVED and tool.concerns:
        raise ValidationError(
            f"It falls short on {', '.join(tool.concerns).lower()}: approve with conditions that say how, or refuse."
        )
    tool.decision, tool.decision_reason, tool.decided_by, tool.decided_at = decision, reason.strip(), by, timezone.now()
    if decision == AIDecision.REFUSED:
        tool.status = AIToolStatus.WITHDRAWN if tool.status == AIToolStatus.IN_USE else tool.status
    else:
        tool.status = AIToolStatus.IN_USE
    tool.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "status"])
    _audit(
        tool=tool,
        by=by,
        summary=f"AI tool {tool.get_decision_display().lower()}: {tool.name}",
        detail={"decision": decision, "reason": tool.decision_reason},
    )
    if decision != AIDecision.REFUSED and tool.review_id is None:
        _open_review(tool=tool, by=by, why="approved")
    return tool


def figures(*, school_ids) -> dict[int, dict[str, int]]:
    """Per school: tools on the register, assessed, approved (with or without conditions), refused."""
    ids = list(school_ids)
    rows = (
        AITool.objects.filter(school_id__in=ids)
        .values("school_id")
        .annotate(
            total=Count("pk"),
            assessed=Count("pk", filter=Q(assessed_at__isnull=False)),
            approved=Count("pk", filter=Q(decision__in=[AIDecision.APPROVED, AIDecision.CONDITIONS])),
            refused=Count("pk", filter=Q(decision=AIDecision.REFUSED)),
        )
        .order_by()
    )
    found = {r.pop("school_id"): r for r in rows}
    empty = {"total": 0, "assessed": 0, "approved": 0, "refused": 0}
    return {sid: found.get(sid, empty) for sid in ids}

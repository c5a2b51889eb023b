"""The policy register: each policy's approval, review cycle, responsible officer and current document."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.audit.services import audit_record

from .constants import DOCUMENT_TYPES
from .models import Policy
from .uploads import check_upload

REVIEW_SOON_DAYS = 60


def review_state(policy: Policy, *, today: datetime.date) -> str:
    due = policy.next_review_due
    if due < today:
        return "overdue"
    if (due - today).days <= REVIEW_SOON_DAYS:
        return "due"
    return "current"


def register(*, school, today: datetime.date | None = None) -> list[tuple[Policy, str]]:
    today = today or timezone.localdate()
    policies = Policy.objects.filter(school=school).select_related("responsible").order_by("title")
    return sorted(((p, review_state(p, today=today)) for p in policies), key=lambda pair: pair[0].next_review_due)


@transaction.atomic
def save_policy(*, policy: Policy, by, document: UploadedFile | None = None) -> Policy:
    """Create or update a register entry; a new document replaces the current one (the old file stays stored)."""
    if document is not None:
        content_type = check_upload(document, allowed=DOCUMENT_TYPES)
        policy.document_type = content_type
        policy.document_name = (document.name or "policy")[:200]
        policy.document.save(f"x{DOCUMENT_TYPES[content_type]}", document, save=False)
    if policy.responsible_id is not None:
        from safeguarding_portal.accounts.models import Membership

        if not Membership.objects.current().filter(school=policy.school, user_id=policy.responsible_id).exists():
            raise ValidationError({"responsible": "The responsible officer must work at this school."})
    creating = policy.pk is None
    policy.full_clean()
    policy.save()
    audit_record(
        action="curriculum.policy_created" if creating else "curriculum.policy_updated",
        actor=by, school=policy.school, obj=policy,
        summary=f"Policy register: {policy.title}" + (" (new document)" if document is not None else ""),
    )
    return policy

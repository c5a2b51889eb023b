"""Reads about accounts."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from safeguarding_portal.audit.models import AuditAction, AuditEvent

from .models import User


def failed_sign_ins_for(*, user: User) -> QuerySet[AuditEvent]:
    """Wrong passwords typed for this address, lockouts, and refused codes, newest first.

    Wrong passwords carry no actor (nobody signed in), only the address typed, so they are matched on it.
    """
    return AuditEvent.objects.filter(
        Q(action__in=[AuditAction.SIGN_IN_FAILED, AuditAction.LOCKED_OUT], actor_email__iexact=user.email)
        | Q(action=AuditAction.TWO_FACTOR_FAILED, actor=user)
    ).order_by("-at", "-id")

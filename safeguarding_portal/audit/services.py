"""Writing to the audit log. Every sign-in, 2FA change, role change and view of a sensitive record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from safeguarding_portal.core.clientip import client_ip

from . import chain
from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from safeguarding_portal.accounts.models import User
    from safeguarding_portal.schools.models import School


@dataclass(frozen=True)
class Origin:
    """Where a write came from, for its audit event: the client's address and browser.

    Services take this (with the user and the school), not the request: a view reads it once with
    ``origin_of`` and a task or command passes nothing."""

    ip: str | None = None
    user_agent: str = ""


def origin_of(request: HttpRequest | None) -> Origin | None:
    if request is None:
        return None
    return Origin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


def request_school(request: HttpRequest | None) -> School | None:
    """The school a request is at (its portal's), where ``audit_record`` files an event given the request and no
    school: a view passes it to a service that files its event there."""
    portal = getattr(request, "portal", None) if request is not None else None
    return portal.school if portal else None


def audit_record(
    *,
    action: AuditAction | str,
    request: HttpRequest | None = None,
    origin: Origin | None = None,
    actor: User | None = None,
    actor_email: str = "",
    school: School | None = None,
    obj: models.Model | None = None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if school is None and request is not None:
        portal = getattr(request, "portal", None)
        school = portal.school if portal else None
    origin = origin or origin_of(request) or Origin()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_email=(actor.email if actor is not None else actor_email)[:254],
        school=school,
        action=str(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        ip=origin.ip,
        user_agent=origin.user_agent[:300],
        detail=detail or {},
    )
    return chain.append(event)


def record_view(*, request: HttpRequest, obj: models.Model, summary: str = "") -> AuditEvent:
    """Record that the signed-in user opened a sensitive record. Call it from every such view."""
    return audit_record(action=AuditAction.RECORD_VIEWED, request=request, obj=obj, summary=summary or str(obj))

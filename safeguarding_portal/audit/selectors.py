from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Max, Min, QuerySet

from safeguarding_portal.accounts.policy import audit_visibility

from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from safeguarding_portal.accounts.context import PortalContext
    from safeguarding_portal.accounts.models import User
    from safeguarding_portal.schools.models import School


def audit_events_for_school(
    *, school: School, portal: PortalContext | None = None, action: str = "", actor_email: str = ""
) -> QuerySet[AuditEvent]:
    """The school's log; with ``portal``, without entries about records that person may not see."""
    events = AuditEvent.objects.filter(school=school).select_related("actor")
    if portal is not None:
        events = events.filter(audit_visibility(portal))
    if action:
        events = events.filter(action=action)
    if actor_email:
        events = events.filter(actor_email__icontains=actor_email)
    return events


def views_of(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """Who opened this record, newest first: shown on the record itself."""
    return AuditEvent.objects.filter(
        action=AuditAction.RECORD_VIEWED, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).only("at", "actor_email")  # the lists show when and who (the email is kept on the event itself)


@dataclass(frozen=True)
class Viewer:
    email: str
    times: int
    first: datetime.datetime
    last: datetime.datetime


def view_summary(*, obj: models.Model) -> list[Viewer]:
    """Who opened this record, how many times, first and last: one grouped query, most recent first. The
    full list stays on demand (``views_of``): seventeen lines of the same DSL inform nobody."""
    rows = (
        views_of(obj=obj)
        .order_by()
        .values("actor_email")
        .annotate(times=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("-last")
    )
    return [Viewer(r["actor_email"], r["times"], r["first"], r["last"]) for r in rows]


def sign_ins_of(*, user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        actor=user, action__in=[AuditAction.SIGNED_IN, AuditAction.TWO_FACTOR_VERIFIED, AuditAction.BACKUP_CODE_USED]
    ).order_by("-at")

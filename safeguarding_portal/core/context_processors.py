from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from safeguarding_portal.outbox.email import undelivered_urgent

if TYPE_CHECKING:
    from safeguarding_portal.accounts.context import PortalContext
    from safeguarding_portal.outbox.models import EmailDelivery


def portal(request: HttpRequest) -> dict[str, Any]:
    context = getattr(request, "portal", None)
    return {
        "portal": context,
        "PRODUCTION": settings.PRODUCTION,
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
        # Read only when the layout shows it (to the head and the DSL team): one query on their pages.
        "undelivered_urgent": SimpleLazyObject(lambda: _undelivered_urgent(context)),
    }


def _undelivered_urgent(context: PortalContext | None) -> list[EmailDelivery]:
    if context is None or context.school is None or not context.can("outbox.view_deliveries"):
        return []

    return undelivered_urgent(school_id=context.school.pk)

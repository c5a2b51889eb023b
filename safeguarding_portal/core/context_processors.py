from django.conf import settings
from django.utils.functional import SimpleLazyObject

from safeguarding_portal.outbox.email import undelivered_urgent


def portal(request):
    context = getattr(request, "portal", None)
    return {
        "portal": context,
        "PRODUCTION": settings.PRODUCTION,
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
        # Read only when the layout shows it (to the head and the DSL team): one query on their pages.
        "undelivered_urgent": SimpleLazyObject(lambda: _undelivered_urgent(context)),
    }


def _undelivered_urgent(context) -> list:
    if context is None or context.school is None or not context.can("outbox.view_deliveries"):
        return []

    return undelivered_urgent(school_id=context.school.pk)

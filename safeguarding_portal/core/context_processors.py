from django.conf import settings


def portal(request):
    return {
        "portal": getattr(request, "portal", None),
        "PRODUCTION": settings.PRODUCTION,
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
    }

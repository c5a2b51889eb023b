from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from safeguarding_portal.accounts.context import SESSION_KEY
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools import selectors as school_selectors

from . import selectors

log = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database (and Redis, when configured) answer, else 503."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        log.error("health: database: %s", exc)
        checks["database"] = "error"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            log.error("health: redis: %s", exc)
            checks["redis"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def home(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    if portal.current is None:
        return render(request, "core/home_no_school.html")
    if portal.current.kind == "trust":
        return redirect("schools:trust_overview")
    return render(request, "core/home.html", selectors.home_panels(portal=portal))


def emergency_contacts(request: HttpRequest) -> HttpResponse:
    school = request.portal.school
    return render(
        request,
        "core/emergency_contacts.html",
        {"contacts": school_selectors.emergency_contacts(school=school), "safeguarding_team": school_selectors.safeguarding_team(school=school)},
    )


@require_POST
def switch_context(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("context", "")
    choice = next((c for c in request.portal.choices if c.key == key), None)
    if choice is None:
        messages.error(request, "You are not a member of that school.")
    else:
        request.session[SESSION_KEY] = choice.key
        audit_record(action=AuditAction.CONTEXT_SWITCHED, request=request, school=None, summary=f"Now working in {choice.label}")
        messages.success(request, f"You are now working in {choice.label}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    # Another school's record at the same address would be refused, so land on the home page.
    return redirect(next_url or "home")

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.context import SESSION_KEY, ContextChoice, PortalRequest
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools import selectors as school_selectors

from . import selectors

log = logging.getLogger(__name__)


@never_cache
@require_safe  # load balancers probe with GET or HEAD
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 "ok" when the database (and Redis, when configured) answer, else 503."""
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
            import redis  # why: only when REDIS_URL is set

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            log.error("health: redis: %s", exc)
            checks["redis"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    # The public (and the load balancer) learn only whether this instance can serve; which service failed,
    # and why, is in the log above.
    return JsonResponse({"status": "ok" if healthy else "error"}, status=200 if healthy else 503)


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: with the manifest storage, the hashed name exists only after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


def home(request: PortalRequest) -> HttpResponse:
    portal = request.portal
    if portal.current is None:
        return render(request, "core/home_no_school.html")
    if portal.current.kind == "trust":
        return redirect("schools:trust_overview")
    return render(request, "core/home.html", selectors.home_panels(portal=portal))


def emergency_contacts(request: PortalRequest) -> HttpResponse:
    school = request.portal.school
    return render(
        request,
        "core/emergency_contacts.html",
        {
            "contacts": school_selectors.emergency_contacts(school=school),
            "safeguarding_team": school_selectors.safeguarding_team(school=school),
        },
    )


@require_POST
def switch_context(request: PortalRequest) -> HttpResponse:
    key = request.POST.get("context", "")
    portal = request.portal
    choice = next((c for c in portal.choices if c.key == key), None)
    if choice is None:
        # A forged or stale choice: worth a line in the log of the school they are working in.
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            request=request,
            summary="Refused a switch to a school they are not a member of",
            detail={"requested": key[:64]},
        )
        messages.error(request, "You are not a member of that school.")
        return redirect("home")
    previous = portal.current.key if portal.current else ""
    request.session[SESSION_KEY] = choice.key
    # Logged in the school now worked in; a trust has no log of its own, so the school left records it.
    new_school = next((m.school for m in portal.memberships if f"school:{m.school_id}" == choice.key), None)
    audit_record(
        action=AuditAction.CONTEXT_SWITCHED,
        request=request,
        school=new_school or portal.school,
        summary=f"Now working in {choice.label}",
        detail={"from": previous, "to": choice.key},
    )
    messages.success(request, f"You are now working in {choice.label}.")
    return redirect(_landing_after_switch(request, request.POST.get("next", ""), choice))


def _landing_after_switch(request: PortalRequest, next_url: str, choice: ContextChoice) -> str:
    """Stay on the same page only when it is not one record of the school just left and the new role may open it."""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("home")
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return reverse("home")
    rule = policy.rule_for(match.view_name)
    if match.kwargs or rule is None or not rule.allows(policy.capabilities_for(set(choice.roles))):
        return reverse("home")
    return next_url

"""Every request passes through the access policy; a URL without a rule is refused."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from . import policy
from .context import PortalContext
from .resume import forget_sent, remember_owner, stash

log = logging.getLogger(__name__)


class SchoolContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.portal = PortalContext(request)
        return self.get_response(request)


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    response = TemplateResponse(request, "errors/403.html", {"reason": reason}, status=403)
    return response.render()


class AccessPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        remember_owner(request, response)  # whose a form kept after this session expires will be
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        view_name = match.view_name if match else None
        rule = policy.rule_for(view_name)
        if rule is None:
            # Fail closed. The access test walks every URL, so this only happens for a view that
            # slipped past it; say so loudly.
            log.error("access policy: no rule for view %r (%s)", view_name, request.path)
            return forbidden(request, "This page has no access rule yet, so nobody may open it.")
        if rule.access is policy.Access.PUBLIC:
            return None
        if not request.user.is_authenticated:
            if request.method == "POST" and view_name == "accounts:logout":
                return redirect(settings.LOGOUT_REDIRECT_URL)  # already signed out: nothing worth keeping
            if request.method == "POST":
                # The session expired while they typed: keep what they wrote for them, then ask them to sign in.
                return redirect_to_login(stash(request) or request.get_full_path())
            if request.htmx:
                response = HttpResponse(status=401)
                response["HX-Redirect"] = f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
                return response
            return redirect_to_login(request.get_full_path())
        portal: PortalContext = request.portal
        needs_two_factor = (
            portal.needs_two_factor
            # The admin can grant roles and reset anyone's two-factor sign-in, so it needs 2FA of its own.
            or (rule.access is policy.Access.ADMIN and request.user.is_staff)
        )
        two_factor_passed = portal.two_factor_passed
        if rule.access is policy.Access.ADMIN and request.user.is_staff:
            # Only the portal's own code opens the admin, never a school provider's multi-factor claim.
            two_factor_passed = bool(getattr(request.user, "is_verified", lambda: False)())
        if needs_two_factor and not two_factor_passed and not rule.before_two_factor:
            target = "accounts:two_factor_verify" if user_has_device(request.user) else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if rule.access in (policy.Access.SIGNED_IN, policy.Access.ADMIN):
            forget_sent(request)
            return None
        if portal.current is None:
            return forbidden(request, "Your account is not linked to a school yet. Ask your school's DSL or office.")
        if not rule.allows(portal.caps):
            where = portal.current.label
            return forbidden(request, f"Your role at {where} does not include this page.")
        forget_sent(request)
        return None


class SessionKeepAliveMiddleware:
    """Idle expiry (``SESSION_COOKIE_AGE`` after the last request) without a session write on every request.

    ``SESSION_SAVE_EVERY_REQUEST`` would cost a write (three statements) on every page. Instead a session with
    anything in it is renewed when its last renewal is more than a minute old: the idle limit holds to within a
    minute and most requests write nothing. It sits just inside SessionMiddleware, which saves what it marks.
    """

    RENEW_AFTER_SECONDS = 60
    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if session.modified or now - session.get(self.KEY, 0) >= self.RENEW_AFTER_SECONDS:
                session[self.KEY] = now
        return response

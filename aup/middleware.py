"""Staff and governors without a current signature are taken to their agreement before anything else.

Runs after the access policy (so only for signed-in people past two-factor, on pages they may open).
Once a person holds a current signature the session remembers it, so the check costs one cache read after that,
until the school publishes a version (``selectors.gate_stamp``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from safeguarding_portal.accounts import policy

from . import selectors, services

GATE_OK_KEY = "aup_gate_ok"
GATE_NEXT_KEY = "aup_gate_next"
# Where a person may go before signing: the agreements themselves, signing out, and the sign-in pages.
EXEMPT_NAMESPACES = {"aup", "admin"}
EXEMPT_NAMES = {"accounts:logout", "switch_context", "health", "favicon", "emergency_contacts"}


class AgreementGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method != "GET" or getattr(request, "htmx", False) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        rule = policy.rule_for(name)
        if rule is None or rule.access is policy.Access.PUBLIC or rule.before_two_factor:
            return None
        if (match.namespace in EXEMPT_NAMESPACES) or name in EXEMPT_NAMES or name.startswith("accounts:"):
            return None
        portal = getattr(request, "portal", None)
        if portal is None or portal.school is None or portal.awaiting_two_factor:
            return None

        # Passed once per session for this school, these roles and these published versions: publishing a
        # version (or a change of roles) checks again on the next page, without waiting for a new sign-in.
        stamp = selectors.gate_stamp(school_id=portal.school.pk)
        gate_key = f"{portal.school.pk}:{stamp}:{','.join(sorted(str(r) for r in portal.roles))}"
        if request.session.get(GATE_OK_KEY) == gate_key:
            return None

        for audience in services.audiences_for_roles(portal.roles):
            if selectors.published_version(school=portal.school, audience=audience) is None:
                continue
            if selectors.current_signature(school=portal.school, user=request.user, audience=audience) is None:
                request.session[GATE_NEXT_KEY] = request.get_full_path()
                return redirect("aup:sign_own", audience=audience)
        request.session[GATE_OK_KEY] = gate_key
        return None

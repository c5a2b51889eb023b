from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from safeguarding_portal.accounts.context import PortalRequest

from . import chain, selectors
from .models import AuditAction, AuditEvent


def audit_log(request: PortalRequest) -> HttpResponse:
    school = request.portal.school
    action = request.GET.get("action", "")
    if action not in AuditAction.values:
        action = ""
    who = request.GET.get("who", "").strip()
    page = Paginator(
        selectors.audit_events_for_school(school=school, portal=request.portal, action=action, actor_email=who), 50
    ).get_page(request.GET.get("page"))
    breaks = chain.verify(AuditEvent, chains=[f"school:{school.pk}"]) if request.GET.get("verify") else None
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "action": action,
            "who": who,
            "actions": AuditAction.choices,
            "breaks": breaks,
        },
    )

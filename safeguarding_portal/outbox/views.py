"""The delivery page: every email of the school, where it has got to, and why one has not gone."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from safeguarding_portal.accounts.context import PortalRequest

from . import email


def deliveries(request: PortalRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    rows, counts = email.deliveries_for(school_id=request.portal.school.pk, show=show)
    return render(
        request,
        "outbox/deliveries.html",
        {
            "deliveries": rows,
            "counts": counts,
            "show": show,
            "states": email.State,
            "undelivered": counts["retrying"] + counts["failed"],
        },
    )

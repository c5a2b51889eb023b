"""Through the pages: request, both risk views, approval, application with the vendor's reference, revert."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from filtering.models import ChangeRequest, EventKind, FilterEvent, State
from safeguarding_portal.audit import chain

pytestmark = pytest.mark.django_db


def test_request_to_revert(school, staff, head, technician, signed_in, client):
    until = timezone.localdate() + datetime.timedelta(days=14)
    response = signed_in(staff).post(
        reverse("filtering:request"),
        {
            "token": "5b0c0c47-64a4-4f7e-9d1c-00000000000a",
            "action": "allow",
            "target_kind": "domain",
            "target": "www.britishmuseum.org",
            "scope": "year_group",
            "scope_detail": "Year 6",
            "reason": "Ancient Egypt research",
            "needed_until": until.isoformat(),
        },
    )
    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("filtering:change", args=[change.pk])
    assert change.state == State.REQUESTED and change.requested_by == staff

    sign = signed_in
    sign(technician).post(
        reverse("filtering:assess", args=[change.pk]),
        {"view": "technical", "rating": "low", "assessment": "Static museum pages", "mitigations": "Year 6 only"},
    )
    sign(head).post(
        reverse("filtering:assess", args=[change.pk]),
        {"view": "educational", "rating": "low", "assessment": "Core to the unit"},
    )
    sign(head).post(
        reverse("filtering:decide", args=[change.pk]),
        {"decision": "approve", "reason": "Low risk, clear need", "expires_on": until.isoformat()},
    )
    change.refresh_from_db()
    assert change.state == State.APPROVED and change.expires_on == until

    # The technician must give the vendor's reference.
    sign(technician).post(reverse("filtering:apply", args=[change.pk]), {"vendor_reference": ""})
    change.refresh_from_db()
    assert change.state == State.APPROVED
    sign(technician).post(reverse("filtering:apply", args=[change.pk]), {"vendor_reference": "LS-4411"})
    change.refresh_from_db()
    assert change.state == State.APPLIED and change.applied_by == technician
    assert change.vendor_reference == "LS-4411"

    sign(technician).post(reverse("filtering:revert", args=[change.pk]), {"vendor_reference": "LS-4500"})
    change.refresh_from_db()
    assert change.state == State.REVERTED

    kinds = list(FilterEvent.objects.filter(change=change).order_by("seq").values_list("kind", flat=True))
    assert kinds == [
        EventKind.REQUESTED,
        EventKind.ASSESSED,
        EventKind.ASSESSED,
        EventKind.APPROVED,
        EventKind.APPLIED,
        EventKind.REVERTED,
    ]
    assert chain.verify(FilterEvent) == []

    page = sign(head).get(reverse("filtering:change", args=[change.pk]))
    assert b"LS-4411" in page.content and b"Static museum pages" in page.content


def test_a_double_submitted_request_is_recorded_once(school, staff, signed_in):
    client = signed_in(staff)
    data = {
        "token": "5b0c0c47-64a4-4f7e-9d1c-00000000000b",
        "action": "block",
        "target_kind": "app",
        "target": "Snapchat",
        "scope": "all_pupils",
        "reason": "Not for pupils",
    }
    client.post(reverse("filtering:request"), data)
    client.post(reverse("filtering:request"), data)
    assert ChangeRequest.objects.count() == 1
    assert FilterEvent.objects.filter(kind=EventKind.REQUESTED).count() == 1


def test_only_an_approved_change_is_applied(school, staff, technician, signed_in):
    from .factories_filtering import make_change

    change = make_change(school=school, requester=staff)
    response = signed_in(technician).post(reverse("filtering:apply", args=[change.pk]), {"vendor_reference": "X"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.REQUESTED

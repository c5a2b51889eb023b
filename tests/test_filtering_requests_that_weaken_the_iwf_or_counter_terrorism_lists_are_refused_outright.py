"""The IWF and CTIRU lists are never switched off: such a request is refused at once, with the reason, and logged."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from filtering import services
from filtering.models import ChangeRequest, EventKind, FilterEvent, State

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "target",
    ["IWF list", "Internet Watch Foundation CAIC list", "CTIRU", "Counter-terrorism list", "Terrorist content"],
)
def test_an_allow_of_a_protected_list_is_refused_with_the_reason(school, staff, signed_in, target):
    response = signed_in(staff).post(
        reverse("filtering:request"),
        {
            "token": "5b0c0c47-64a4-4f7e-9d1c-000000000001",
            "action": "allow",
            "target_kind": "category",
            "target": target,
            "scope": "staff",
            "reason": "Research for a lesson",
            "needed_until": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        },
    )
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert change.state == State.REFUSED
    assert "must never be switched off" in change.decision_reason
    kinds = list(FilterEvent.objects.filter(change=change).order_by("seq").values_list("kind", flat=True))
    assert kinds == [EventKind.REQUESTED, EventKind.REFUSED]
    page = signed_in(staff).get(reverse("filtering:change", args=[change.pk]))
    assert b"must never be switched off" in page.content


def test_a_refused_request_cannot_be_approved(school, staff, head):
    change = services.change_request(
        school=school,
        requester=staff,
        action="allow",
        target_kind="category",
        target="IWF",
        scope="all_pupils",
        reason="x",
        needed_until=timezone.localdate() + datetime.timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        services.approve(
            change=change, by=head, reason="ok", expires_on=timezone.localdate() + datetime.timedelta(days=2)
        )
    change.refresh_from_db()
    assert change.state == State.REFUSED


def test_blocking_more_is_never_refused(school, staff):
    change = services.change_request(
        school=school,
        requester=staff,
        action="block",
        target_kind="keyword",
        target="terrorism propaganda",
        scope="all_pupils",
        reason="Seen in Y9",
    )
    assert change.state == State.REQUESTED

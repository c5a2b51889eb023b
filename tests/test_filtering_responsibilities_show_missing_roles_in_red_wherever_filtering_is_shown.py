"""The four named roles, with dates; a missing one is shown in red on every filtering page and the home panel."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from filtering import selectors
from filtering.models import Responsibility, ResponsibilityRole

pytestmark = pytest.mark.django_db


def test_missing_roles_are_red_until_named(school, head, dsl, governor, signed_in):
    client = signed_in(head)
    page = client.get(reverse("filtering:index"))
    assert b'data-testid="missing-roles"' in page.content and b"IT provider contact" in page.content
    assert b'data-testid="filtering-missing-roles"' in client.get(reverse("home")).content

    for role, user, name in [
        ("senior_leader", head, ""),
        ("governor", governor, ""),
        ("dsl", dsl, ""),
        ("it_provider", None, "Sam Patel"),
    ]:
        response = client.post(
            reverse("filtering:responsibility_add"),
            {
                "role": role,
                "user": user.pk if user else "",
                "name": name,
                "organisation": "Schools IT Ltd" if not user else "",
                "starts_on": "2026-09-01",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert selectors.missing_roles(school=school) == []
    assert b'data-testid="missing-roles"' not in client.get(reverse("filtering:index")).content
    assert Responsibility.objects.get(role="governor").name == governor.full_name


def test_a_new_holder_ends_the_previous_term_and_keeps_history(school, head, dsl, signed_in):
    client = signed_in(head)
    client.post(
        reverse("filtering:responsibility_add"), {"role": "it_provider", "name": "Old IT", "starts_on": "2025-09-01"}
    )
    client.post(
        reverse("filtering:responsibility_add"), {"role": "it_provider", "name": "New IT", "starts_on": "2026-10-01"}
    )
    old, new = Responsibility.objects.filter(role="it_provider").order_by("starts_on")
    assert old.ends_on == datetime.date(2026, 9, 30) and new.ends_on is None
    page = client.get(reverse("filtering:responsibilities"))
    assert b"Old IT" in page.content and b"New IT" in page.content


def test_ending_a_role_without_a_successor_shows_it_missing(school, head, signed_in):
    client = signed_in(head)
    client.post(
        reverse("filtering:responsibility_add"), {"role": "governor", "name": "G Ellis", "starts_on": "2025-09-01"}
    )
    record = Responsibility.objects.get()
    client.post(reverse("filtering:responsibility_end", args=[record.pk]), {})
    record.refresh_from_db()
    assert record.ends_on is not None
    tomorrow = record.ends_on + datetime.timedelta(days=1)
    assert ResponsibilityRole.GOVERNOR.label in selectors.missing_roles(school=school, on=tomorrow)


def test_only_managers_name_people(school, technician, signed_in):
    assert signed_in(technician).get(reverse("filtering:responsibility_add")).status_code == 403
    assert signed_in(technician).get(reverse("filtering:responsibilities")).status_code == 200

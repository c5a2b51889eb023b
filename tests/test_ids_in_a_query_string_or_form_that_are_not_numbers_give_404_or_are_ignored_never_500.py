"""A record id typed or pasted into a query string (or posted) that is not a number ("abc", or "²", which
str.isdigit() accepts but int() refuses) gives "not found" where it names the record the page is about, and is
ignored where it only narrows a list: never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from . import clock
from .factories import PupilFactory

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

NOT_NUMBERS = ["abc", "²", "1.5", "-1"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_the_trust_standard_to_change_not_a_number_is_not_found(client, signed_in, trust_lead, school, value):
    signed_in(trust_lead)
    url = reverse("curriculum:trust_standard_publish") + f"?standard={value}"

    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "X", "roles": ["staff"], "renew_months": 12}).status_code == 404


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_the_trust_template_to_change_not_a_number_is_not_found(client, signed_in, trust_lead, school, value):
    signed_in(trust_lead)
    url = reverse("standards:publish", kwargs={"kind": "incidents.procedures"}) + f"?template={value}"

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_list_filters_that_are_not_numbers_are_ignored(client, signed_in, dsl, school, value):
    signed_in(dsl)

    assert client.get(reverse("incidents:dashboard"), {"pupil": value, "reporter": value}).status_code == 200
    assert client.get(reverse("monitoring:queue"), {"pupil": value, "before": value}).status_code == 200
    assert client.get(reverse("filtering:log"), {"before": value}).status_code == 200
    assert client.get(reverse("incidents:pupil_options"), {"pupil_q": "a", "pupil": value}).status_code == 200


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_a_posted_flag_that_is_not_a_number_is_not_found(client, signed_in, dsl, school, value):
    signed_in(dsl)
    pupil = PupilFactory(school=school)

    response = client.post(
        reverse("schools:pupil_flags", kwargs={"pupil_id": pupil.pk}), {"action": "remove", "flag": value}
    )

    assert response.status_code == 404

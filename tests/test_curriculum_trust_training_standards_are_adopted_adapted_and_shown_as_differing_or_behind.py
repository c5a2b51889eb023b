"""Set the standard once: the trust publishes a training requirement; a school takes it, adapts it (shown as
differing from the trust) and falls behind when the trust publishes a newer version, until it takes that one;
the trust lead sees which schools differ and which are behind."""

from __future__ import annotations

import pytest
from django.urls import reverse

from curriculum import selectors, services
from curriculum.models import TrainingRequirement, TrustTrainingStandard

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def _publish(client, **data):
    return client.post(
        reverse("curriculum:trust_standard_publish") + data.pop("query", ""),
        {"name": "Online safety refresher", "roles": ["staff", "dsl"], "renew_months": 12, "guidance": "KCSiE", **data},
    )


def _state(client, school) -> str:
    body = client.get(reverse("curriculum:trust_standards")).content.decode()
    return body.split(f">{school.name}</th>")[1].split("</tr>")[0]


def test_publish_adopt_adapt_and_fall_behind(client, signed_in, trust_lead, dsl, school, other_school):
    signed_in(trust_lead)
    assert _publish(client).status_code == 302
    standard = TrustTrainingStandard.objects.get()
    assert standard.version == 1
    assert "Not adopted" in _state(client, school)

    signed_in(dsl)
    response = client.get(reverse("curriculum:requirements"))
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "Online safety refresher" in page and "Take the trust's version" in page
    assert client.post(reverse("curriculum:standard_adopt", kwargs={"standard_id": standard.pk})).status_code == 302
    req = TrainingRequirement.objects.get(school=school, trust_standard=standard)
    assert (req.roles, req.renew_months, req.standard_version) == (["staff", "dsl"], 12, 1)

    # The school adapts it: every 24 months.
    req.renew_months = 24
    req.save()
    signed_in(trust_lead)
    assert "Differs from the trust" in _state(client, school) and "how often" in _state(client, school)
    assert "Not adopted" in _state(client, other_school)

    # The trust publishes a newer version: the school is behind (and still differs).
    assert _publish(client, renew_months=6, query=f"?standard={standard.pk}").status_code == 302
    standard.refresh_from_db()
    assert standard.version == 2
    row = _state(client, school)
    assert "Behind the trust" in row and "took version 1" in row

    signed_in(dsl)
    client.post(reverse("curriculum:standard_adopt", kwargs={"standard_id": standard.pk}))
    req.refresh_from_db()
    assert (req.renew_months, req.standard_version) == (6, 2)
    assert selectors.school_view(school=school)[0].states == ["same"]


def test_publishing_the_same_again_is_not_a_new_version(trust, trust_lead):
    first = services.standard_publish(trust=trust, by=trust_lead, name="Prevent", roles=["dsl"], renew_months=24)
    again = services.standard_publish(
        trust=trust, by=trust_lead, name="Prevent", roles=["dsl"], renew_months=24, standard=first
    )
    assert again.version == 1


def test_a_school_cannot_take_another_trusts_standard(client, signed_in, dsl, trust_lead):
    from .factories import TrustFactory

    other = TrustFactory(name="Faraway Trust")
    foreign = services.standard_publish(trust=other, by=trust_lead, name="Elsewhere", roles=["staff"], renew_months=12)
    signed_in(dsl)
    assert client.post(reverse("curriculum:standard_adopt", kwargs={"standard_id": foreign.pk})).status_code == 404

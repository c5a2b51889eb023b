"""The trust's standards pages read each kind's templates, adoptions and schools' copies in a fixed number of
queries: the count does not grow with the schools of the trust (nor with the templates of a kind)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding_portal.standards import services

from . import clock
from .factories import SchoolFactory

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

PAGES = [("standards:trust", {})] + [
    ("standards:trust_kind", {"kind": k}) for k in ("incidents.procedures", "aup.agreements", "monitoring.severities")
]


def _queries(client) -> list[int]:
    counts = []
    for name, kwargs in PAGES:
        client.get(reverse(name, kwargs=kwargs))  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200
        counts.append(len(captured))
    return counts


def test_same_queries_for_two_and_for_six_schools(client, signed_in, trust, trust_lead, dsl, school, other_school):
    for key in ("cyberbullying", "copyright"):
        template = services.template_publish(
            trust=trust, by=trust_lead, kind="incidents.procedures", key=key, content=[["Speak to the pupil", True, []]]
        )
    services.template_adopt(school=school, template=template, by=dsl)
    services.template_publish(trust=trust, by=trust_lead, kind="aup.agreements", key="visitor", content="Be kind.")
    services.template_publish(
        trust=trust, by=trust_lead, kind="monitoring.severities", key="senso", content={"4": "critical"}
    )
    signed_in(trust_lead)

    two = _queries(client)
    for i in range(4):
        SchoolFactory(trust=trust, name=f"Extra School {i}")
    six = _queries(client)

    assert six == two
    body = client.get(reverse("standards:trust_kind", kwargs={"kind": "incidents.procedures"})).content.decode()
    assert body.count("Extra School 3") == 2  # a row in each template's table

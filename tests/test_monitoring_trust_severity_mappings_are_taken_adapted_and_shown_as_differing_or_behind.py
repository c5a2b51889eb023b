"""Set the standard once, monitoring severity mappings: the trust publishes which of a product's levels are
critical; a school takes it from its mapping page (its CSV columns stay, the queue maps alerts the trust's
way), adapts a level (the trust sees which) and falls behind a newer trust version until it takes it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring import csvimport
from monitoring.models import Vendor
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.standards.models import TrustTemplate

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

KIND = "monitoring.severities"


def _publish(client, text: str, query: str = ""):
    return client.post(
        reverse("standards:publish", kwargs={"kind": KIND}) + query, {"key": Vendor.SMOOTHWALL, "content": text}
    )


def _row(client, school) -> str:
    body = client.get(reverse("standards:trust_kind", kwargs={"kind": KIND})).content.decode()
    return body.split(f">{school.name}</th>")[1].split("</tr>")[0]


def test_take_adapt_and_fall_behind(client, signed_in, trust_lead, dsl, school):
    # The school had its own columns: taking the trust's levels keeps them.
    columns = {**csvimport.saved_mapping(school=school, vendor=Vendor.SMOOTHWALL).columns, "rule": "Policy Name"}
    csvimport.save_mapping(school=school, vendor=Vendor.SMOOTHWALL, by=dsl, columns=columns, severities={})

    signed_in(trust_lead)
    # A level the same as the portal's default is not kept: the template lists what the trust changes.
    assert _publish(client, "Level 4 = critical\nlevel 5 = critical").status_code == 302
    template = TrustTemplate.objects.get(kind=KIND)
    assert template.content == {"level 4": "critical"}
    assert "Not adopted" in _row(client, school)

    signed_in(dsl)
    assert "The trust's severity mappings" in client.get(reverse("monitoring:mapping")).content.decode()
    response = client.post(reverse("monitoring:severities_adopt", kwargs={"template_id": template.pk}))
    assert response.status_code == 302
    saved = csvimport.saved_mapping(school=school, vendor=Vendor.SMOOTHWALL)
    assert csvimport.map_severity("Level 4", saved.severities) == "critical"
    assert saved.columns["rule"] == "Policy Name"
    assert AuditEvent.objects.filter(action="standards.template_adopted", school=school).exists()

    signed_in(trust_lead)
    assert "As the trust" in _row(client, school)

    # The school maps "serious" to critical too: it differs, at that level.
    csvimport.save_mapping(
        school=school,
        vendor=Vendor.SMOOTHWALL,
        by=dsl,
        columns=columns,
        severities={"level 4": "critical", "serious": "critical"},
    )
    row = _row(client, school)
    assert "Differs from the trust" in row and "serious" in row

    assert _publish(client, "level 4 = critical\nlevel 3 = high", query=f"?template={template.pk}").status_code == 302
    row = _row(client, school)
    assert "Behind the trust" in row and "took version 1" in row


def test_a_level_mapped_to_no_severity_is_refused(client, signed_in, trust_lead):
    signed_in(trust_lead)
    response = _publish(client, "level 4 = dreadful")
    assert response.status_code == 200 and "one of low, medium, high, critical" in response.content.decode()
    assert not TrustTemplate.objects.exists()

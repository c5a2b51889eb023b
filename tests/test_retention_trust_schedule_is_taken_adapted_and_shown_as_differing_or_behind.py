"""Set the standard once, the retention schedule: the trust publishes the periods it sets away from the portal's
defaults; a school takes it from its schedule page (each period changed is audited), adapts a period (the trust
sees which) and falls behind a newer trust version until it takes it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.retention import services
from safeguarding_portal.retention.selectors import schedule
from safeguarding_portal.standards.models import TrustTemplate

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

KIND = "retention.schedule"


def _publish(client, text: str, query: str = ""):
    return client.post(
        reverse("standards:publish", kwargs={"kind": KIND}) + query, {"key": "schedule", "content": text}
    )


def _row(client, school) -> str:
    body = client.get(reverse("standards:trust_kind", kwargs={"kind": KIND})).content.decode()
    return body.split(f">{school.name}</th>")[1].split("</tr>")[0]


def _years(school) -> dict[str, int]:
    return {e.kind.name: e.years for e in schedule(school=school)}


def test_take_adapt_and_fall_behind(client, signed_in, trust_lead, dsl, school):
    # The school had kept its filtering log longer; the trust's schedule does not list it, so taking it resets it.
    services.period_set(school=school, user=dsl, kind="filtering.log", years=5)

    signed_in(trust_lead)
    assert "Retention schedule" in client.get(reverse("standards:trust")).content.decode()
    # A period the same as the portal's default is not kept: the template lists what the trust changes.
    assert _publish(client, "Monitoring alerts = 3 years\nchild protection records = 25").status_code == 302
    template = TrustTemplate.objects.get(kind=KIND)
    assert template.content == {"monitoring.alerts": 3}
    assert "Not adopted" in _row(client, school)

    signed_in(dsl)
    assert "The trust's retention schedule" in client.get(reverse("retention:schedule")).content.decode()
    response = client.post(reverse("retention:adopt", kwargs={"template_id": template.pk}))
    assert response.status_code == 302
    years = _years(school)
    assert (years["monitoring.alerts"], years["filtering.log"], years["incidents.cp_records"]) == (3, 3, 25)
    assert AuditEvent.objects.filter(action="standards.template_adopted", school=school).exists()
    changed = {
        e.detail["kind"]
        for e in AuditEvent.objects.filter(action="retention.period_changed", school=school)
        .exclude(actor=None)
        .filter(detail__note="The trust's schedule")
    }
    assert changed == {"monitoring.alerts", "filtering.log"}

    signed_in(trust_lead)
    assert "As the trust" in _row(client, school)

    services.period_set(school=school, user=dsl, kind="audit.log", years=10)
    row = _row(client, school)
    assert "Differs from the trust" in row and "audit log: 10 years here, 6 in the trust" in row

    response = _publish(client, "monitoring alerts = 3\nAudit log = 10", query=f"?template={template.pk}")
    assert response.status_code == 302
    row = _row(client, school)
    assert "Behind the trust" in row and "took version 1" in row


def test_an_unknown_kind_or_period_out_of_range_is_refused(client, signed_in, trust_lead):
    signed_in(trust_lead)
    for text, error in (
        ("Lunch menus = 3", "write a kind of record, =, then the years"),
        ("Monitoring alerts = 0", "between 1 and 100 years"),
        ("Monitoring alerts three", "write a kind of record, =, then the years"),
    ):
        response = _publish(client, text)
        assert response.status_code == 200 and error in response.content.decode()
    assert not TrustTemplate.objects.exists()

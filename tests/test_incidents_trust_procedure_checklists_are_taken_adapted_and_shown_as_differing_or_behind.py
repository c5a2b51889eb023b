"""Set the standard once, procedure checklists: the trust publishes a category's checklist; a school takes it
from its procedures page (new cases use it), adapts it (the trust sees it differs, and at which step) and falls
behind when the trust publishes a newer version, until it takes that one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import procedures
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.standards.models import TemplateAdoption, TrustTemplate

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

KIND = "incidents.procedures"
STEPS = "Speak to the pupil\n? Check the device [device_secured]\nInform parents [parent_contact]"


def _publish(client, steps: str = STEPS, query: str = ""):
    return client.post(
        reverse("standards:publish", kwargs={"kind": KIND}) + query,
        {"key": "cyberbullying", "content": steps, "note": "Trust policy 2026"},
    )


def _row(client, school) -> str:
    body = client.get(reverse("standards:trust_kind", kwargs={"kind": KIND})).content.decode()
    return body.split(f">{school.name}</th>")[1].split("</tr>")[0]


def test_take_adapt_and_fall_behind(client, signed_in, trust_lead, dsl, school, other_school):
    signed_in(trust_lead)
    assert _publish(client).status_code == 302
    template = TrustTemplate.objects.get(kind=KIND)
    assert template.content == [
        ["Speak to the pupil", True, []],
        ["Check the device", False, ["device_secured"]],
        ["Inform parents", True, ["parent_contact"]],
    ]
    assert "Not adopted" in _row(client, school)

    signed_in(dsl)
    page = client.get(reverse("incidents:procedures")).content.decode()
    assert "The trust's checklists" in page and "Take the trust's version" in page
    response = client.post(reverse("incidents:procedure_adopt", kwargs={"template_id": template.pk}))
    assert response.status_code == 302
    steps, own = procedures.procedure_for(school=school, category="cyberbullying")
    assert own and [s.text for s in steps] == ["Speak to the pupil", "Check the device", "Inform parents"]
    assert not steps[1].mandatory and steps[2].completed_by == ("parent_contact",)
    assert TemplateAdoption.objects.get(school=school, template=template).version == 1
    assert AuditEvent.objects.filter(action="standards.template_adopted", school=school).exists()

    signed_in(trust_lead)
    assert "As the trust" in _row(client, school)
    assert "Not adopted" in _row(client, other_school)

    # The school adapts it: its third step is worded its own way.
    signed_in(dsl)
    procedures.procedure_save(
        school=school,
        category="cyberbullying",
        by=dsl,
        steps=[*steps[:2], steps[2]._replace(text="Phone parents the same day")],
    )
    signed_in(trust_lead)
    row = _row(client, school)
    assert "Differs from the trust" in row and "step 3" in row

    # The trust publishes a newer version: the school is behind (and still differs) until it takes it.
    assert _publish(client, STEPS + "\nRecord the outcome", query=f"?template={template.pk}").status_code == 302
    template.refresh_from_db()
    assert template.version == 2
    row = _row(client, school)
    assert "Behind the trust" in row and "took version 1" in row and "step 4 missing" in row

    signed_in(dsl)
    client.post(reverse("incidents:procedure_adopt", kwargs={"template_id": template.pk}))
    steps, _ = procedures.procedure_for(school=school, category="cyberbullying")
    assert [s.text for s in steps][-1] == "Record the outcome"
    assert (
        "As the trust"
        in client.get(reverse("incidents:procedures")).content.decode().split('data-testid="trust-templates"')[1]
    )


def test_an_unknown_completion_is_refused_when_publishing(client, signed_in, trust_lead):
    signed_in(trust_lead)
    response = _publish(client, "Speak to the pupil [telepathy]")
    assert response.status_code == 200 and "Not something that completes a step: telepathy" in response.content.decode()
    assert not TrustTemplate.objects.exists()

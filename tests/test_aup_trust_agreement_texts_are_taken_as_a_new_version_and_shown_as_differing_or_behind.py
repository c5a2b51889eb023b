"""Set the standard once, agreement texts: the trust publishes an audience's agreement text; a school takes it
from its agreements page (published as its next version, earlier signatures still counting unless it asks
everyone to sign again), adapts it (the trust sees it differs) and falls behind a newer trust version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aup import services
from aup.models import Agreement, Audience
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.standards.models import TemplateAdoption, TrustTemplate

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

KIND = "aup.agreements"
TEXT = "I will use the school's wifi only for my visit.\nI will not photograph pupils."


def _publish(client, text: str = TEXT, audience: str = Audience.VISITOR, query: str = ""):
    return client.post(reverse("standards:publish", kwargs={"kind": KIND}) + query, {"key": audience, "content": text})


def _row(client, school) -> str:
    body = client.get(reverse("standards:trust_kind", kwargs={"kind": KIND})).content.decode()
    return body.split(f">{school.name}</th>")[1].split("</tr>")[0]


def test_take_adapt_and_fall_behind(client, signed_in, trust_lead, dsl, school):
    signed_in(trust_lead)
    assert _publish(client).status_code == 302
    template = TrustTemplate.objects.get(kind=KIND)
    assert "Not adopted" in _row(client, school)

    signed_in(dsl)
    page = client.get(reverse("aup:manage")).content.decode()
    assert "The trust's agreement texts" in page and "Everyone must sign again" in page
    assert client.post(reverse("aup:agreement_adopt", kwargs={"template_id": template.pk})).status_code == 302
    agreement = Agreement.objects.get(school=school, audience=Audience.VISITOR)
    current = agreement.current_version
    assert current.text == TEXT and current.published_by == dsl and not current.requires_resign
    assert AuditEvent.objects.filter(action="standards.template_adopted", school=school).count() == 1

    signed_in(trust_lead)
    assert "As the trust" in _row(client, school)

    # The school rewords a line in its own next version: it differs from the trust.
    draft = services.save_draft(
        agreement=agreement,
        text=TEXT.replace("photograph", "film or photograph"),
        consent_items=None,
        requires_resign=False,
    )
    services.publish(version=draft, by=dsl)
    row = _row(client, school)
    assert "Differs from the trust" in row and "the text (1 line differs)" in row

    assert _publish(client, TEXT + "\nI will wear my badge.", query=f"?template={template.pk}").status_code == 302
    row = _row(client, school)
    assert "Behind the trust" in row and "took version 1" in row

    # Taken again, asking everyone to sign again: earlier signatures stop counting.
    signed_in(dsl)
    client.post(reverse("aup:agreement_adopt", kwargs={"template_id": template.pk}), {"requires_resign": "1"})
    agreement.refresh_from_db()
    latest = agreement.current_version
    assert latest.text.endswith("I will wear my badge.") and latest.requires_resign
    assert agreement.current_from == latest.number
    assert TemplateAdoption.objects.get(school=school, template=template).version == 2


def test_the_parents_agreement_keeps_the_schools_consent_questions(client, signed_in, trust_lead, dsl, school):
    signed_in(trust_lead)
    _publish(client, "We will support our child to be safe online.", audience=Audience.PARENT)
    template = TrustTemplate.objects.get(kind=KIND, key=Audience.PARENT)
    agreement = services.ensure_agreement(school=school, audience=Audience.PARENT)
    services.save_draft(
        agreement=agreement,
        text="Our own text",
        requires_resign=False,
        consent_items=services.parse_consent_items("Photos on the website\nClass blog"),
    )
    signed_in(dsl)
    client.post(reverse("aup:agreement_adopt", kwargs={"template_id": template.pk}))
    current = Agreement.objects.get(pk=agreement.pk).current_version
    assert current.text == "We will support our child to be safe online."
    assert [i["label"] for i in current.consent_items] == ["Photos on the website", "Class blog"]

"""The trust's templates (safeguarding_portal.standards): publishing the same again is not a new version; each
publication is audited with what it was before; a school cannot take another trust's template; the trust's
standards page lists every kind, training included, with how many schools are behind or differ."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from curriculum import services as training_services
from safeguarding_portal.audit.models import AuditEvent
from safeguarding_portal.standards import services
from safeguarding_portal.standards.models import TrustTemplate

from . import clock
from .factories import TrustFactory

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

STEPS = [["Speak to the pupil", True, []]]


def test_publishing_the_same_again_is_not_a_new_version_and_a_change_is_audited(trust, trust_lead):
    first = services.template_publish(
        trust=trust, by=trust_lead, kind="incidents.procedures", key="copyright", content=STEPS
    )
    again = services.template_publish(
        trust=trust, by=trust_lead, kind="incidents.procedures", key="copyright", content=STEPS
    )
    assert (first.pk, again.version) == (again.pk, 1)
    changed = services.template_publish(
        trust=trust,
        by=trust_lead,
        kind="incidents.procedures",
        key="copyright",
        content=[*STEPS, ["Record it", True, []]],
    )
    assert changed.version == 2
    events = list(AuditEvent.objects.filter(action="standards.template_published").order_by("id"))
    assert len(events) == 2
    assert events[1].detail["before"] == STEPS and events[1].detail["version"] == 2


def test_a_school_cannot_take_another_trusts_template(client, signed_in, dsl, trust_lead, school):
    other = TrustFactory(name="Faraway Trust")
    foreign = services.template_publish(
        trust=other, by=trust_lead, kind="incidents.procedures", key="copyright", content=STEPS
    )
    signed_in(dsl)
    response = client.post(reverse("incidents:procedure_adopt", kwargs={"template_id": foreign.pk}))
    assert response.status_code == 404
    assert not foreign.adoptions.exists()


def test_a_template_of_another_kind_is_not_taken_through_this_kinds_page(client, signed_in, dsl, trust, trust_lead):
    agreement = services.template_publish(
        trust=trust, by=trust_lead, kind="aup.agreements", key="visitor", content="Be kind."
    )
    signed_in(dsl)
    assert client.post(reverse("incidents:procedure_adopt", kwargs={"template_id": agreement.pk})).status_code == 404


def test_the_trusts_page_lists_every_kind_with_its_counts(client, signed_in, trust, trust_lead, school, other_school):
    services.template_publish(trust=trust, by=trust_lead, kind="incidents.procedures", key="copyright", content=STEPS)
    training_services.standard_publish(trust=trust, by=trust_lead, name="Prevent", roles=["dsl"], renew_months=24)
    signed_in(trust_lead)
    # The cells' labels (data-label, for the phone's stacked rows) are left out of the comparison.
    body = re.sub(r"<td [^>]*>", "<td>", client.get(reverse("standards:trust")).content.decode())
    for kind in ("incidents.procedures", "aup.agreements", "monitoring.severities", "curriculum.training"):
        assert f'data-kind="{kind}"' in body
    procedures = body.split('data-kind="incidents.procedures"')[1].split("</tr>")[0]
    # One template, not adopted by either school of the trust.
    assert "<td>1</td><td>0</td><td>0</td><td>2</td>" in procedures
    training = body.split('data-kind="curriculum.training"')[1].split("</tr>")[0]
    assert reverse("curriculum:trust_standards") in training and "<td>2</td>" in training
    assert TrustTemplate.objects.count() == 1


def test_an_unknown_kind_or_template_is_not_found(client, signed_in, trust_lead):
    signed_in(trust_lead)
    publish = reverse("standards:publish", kwargs={"kind": "incidents.procedures"})
    assert client.get(publish + "?template=abc").status_code == 404
    assert client.get(publish + "?template=999999").status_code == 404
    assert client.get(reverse("standards:trust_kind", kwargs={"kind": "nonsense"})).status_code == 404
    assert client.get(reverse("standards:trust_kind", kwargs={"kind": "curriculum.training"})).status_code == 404

"""The review pack gathers what every domain app holds about the pupil (through its SAR source): the cases they
are on with the report and the timeline, monitoring alerts, vulnerability flags, the pupil's own record. Opening
it is recorded in the audit log. A pupil's pack is the DSL team's: the head, who manages requests, does not read
it."""

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditEvent
from sar.sources import sources

from .factories import PupilFactory
from .incident_helpers import make_case
from .sar_helpers import THIRD_PARTY, log_request, pupil_with_records

pytestmark = pytest.mark.django_db


def test_every_domain_app_plugs_in_a_source():
    assert {
        "incidents.cases",
        "incidents.device_searches",
        "monitoring.alerts",
        "duty.encompass",
        "aup.signatures",
        "schools.flags",
        "schools.pupil",
    } <= {s.name for s in sources()}


def test_the_pack_lists_cases_timeline_alerts_and_flags_of_the_pupil_only(client, signed_in, dsl, staff, school):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    other = PupilFactory(school=school, legal_forename="Unrelated")
    make_case(school=school, reporter=staff, pupils=[other], description="Nothing to do with Riley: OTHERCASE")
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    page = client.get(reverse("sar:pack", args=[sar.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert case.reference in html
    assert f"Spoke to {THIRD_PARTY}" in html.replace("&#x27;", "'")
    assert "searched for how to block someone" in html  # the monitoring alert
    assert "Young carer" in html
    assert "OTHERCASE" not in html
    assert (
        AuditEvent.objects.filter(
            action="record.viewed",
            object_type="sar.subjectaccessrequest",
            object_id=str(sar.pk),
            summary__contains="Review pack",
        ).count()
        == 1
    )


def test_the_head_manages_the_request_but_does_not_read_a_pupils_pack(client, signed_in, dsl, head, staff, school):
    pupil, _ = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(head)
    sar = log_request(client, pupil=pupil)
    assert client.get(reverse("sar:detail", args=[sar.pk])).status_code == 200
    assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 404
    assert client.post(reverse("sar:build", args=[sar.pk])).status_code == 404

"""The bundle holds every kind of the pupil's safeguarding record, not only cases: monitoring alerts and their
events, Operation Encompass notices that named the pupil (not another child's support actions), device searches,
and the agreements and consents signed for them; each chained record with its own link, recomputed by verify."""

import pytest
from django.utils import timezone

from aup import services as aup_services
from aup.models import Audience
from incidents import bundles, searches, transfer_bundles

from .bundle_helpers import leaver_with_records, produced
from .factories_aup import published
from .factories_duty import notification
from .factories_monitoring import alert

pytestmark = pytest.mark.django_db


def test_every_kind_of_record_is_in_the_bundle_and_verifies(school, staff, dsl, head):
    pupil = leaver_with_records(school=school, reporter=staff, cases=1)
    pupil.network_username, pupil.year_group = "smover", "5"
    pupil.save()
    alert(school, username="smover")
    notification(school, by=dsl, pupils=[pupil], police_reference="WPC/2026/77")
    searches.search_record(
        school=school,
        by=head,
        pupil=pupil,
        searched_at=timezone.now(),
        device="Own phone",
        authorised_by=head,
        authority="headteacher",
        searched_by=head,
        witness=None,
        no_witness_reason="Alone at the time",
        grounds="school_rules",
        reason="Phone out in an exam",
        looked_at="Messages",
        found="Nothing",
        child_at_risk=False,
        deleted=False,
        parents_informed=True,
        outcome="held",
    )
    published(school, Audience.PUPIL_OLDER)
    aup_services.record_pupil_agreements(school=school, pupils=[pupil], agreed_on=timezone.localdate(), witness=staff)

    transfer = produced(school=school, dsl=dsl, pupil=pupil)
    data, _, _, fingerprint = transfer_bundles.build_bytes(school=school, transfer=transfer, by=dsl, to={})
    result = bundles.verify(data, expected_fingerprint=fingerprint)
    assert result.ok, result.problems
    types = {r["type"] for r in result.records}
    assert {
        "case",
        "timeline_entry",
        "monitoring_alert",
        "alert_event",
        "encompass_notification",
        "encompass_child",
        "encompass_entry",
        "device_search",
        "signature",
    } <= types
    chained = [r for r in result.records if r["type"] != "case" and r["type"] != "monitoring_alert"]
    assert all(r["origin"] and r["origin"]["chain"] == f"school:{school.pk}" for r in chained)
    assert result.manifest["records"]["types"]["monitoring_alert"] == 1
    grouped = bundles.grouped(result.records)
    assert grouped["notices"][0]["notice"]["police_reference"] == "WPC/2026/77"
    assert grouped["alerts"][0]["events"]

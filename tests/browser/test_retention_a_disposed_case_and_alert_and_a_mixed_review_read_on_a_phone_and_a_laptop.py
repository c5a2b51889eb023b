"""What is left after disposal, as the DSL team sees it: a disposed case (its pupil, device search, task and notes
gone, its timeline's kinds and dates kept), the disposed device search, a disposed monitoring alert, and a batch
under review that lists a case, an alert and an old audit event side by side; each at 390 and 1280 px with
nothing cut off and no axe-core violations."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import searches, services
from incidents.models import DeviceSearch
from monitoring import services as monitoring_services
from safeguarding_portal.audit.models import AuditAction
from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import DisposalBatch
from tests.factories_monitoring import alert
from tests.retention_helpers import closed_case, pupil, swept

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_disposed_case_alert_and_a_mixed_batch_on_a_phone_and_a_laptop(page, school, staff, dsl, head, time_machine):
    child = pupil(school, legal_forename="Marigold", surname="Featherstone", network_username="marigold.f")
    real_now = timezone.now()
    time_machine.move_to(real_now - datetime.timedelta(days=365 * 7), tick=True)
    audit_record(
        action=AuditAction.RECORD_VIEWED,
        origin=Origin(ip="203.0.113.9"),
        actor=dsl,
        school=school,
        obj=child,
        summary="Viewed Marigold Featherstone's chronology",
    )
    found = alert(school, username="marigold.f", captured_text="messages about running away")
    monitoring_services.alert_close(alert=found, by=dsl, outcome="nfa", reason="Checked with her form tutor.")
    time_machine.move_to(real_now, tick=True)
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[child])
    services.case_task_add(incident=case, by=dsl, title="Ring Marigold's aunt", owner=dsl, due_on=timezone.localdate())
    searches.search_record(
        school=school,
        by=head,
        pupil=child,
        searched_at=timezone.now(),
        device="Marigold's phone",
        authorised_by=head,
        authority="headteacher",
        searched_by=head,
        witness=None,
        no_witness_reason="Alone at the time",
        grounds="harm",
        reason="Threats to another pupil",
        looked_at="Messages",
        found="Threats",
        child_at_risk=False,
        deleted=False,
        parents_informed=True,
        outcome="held",
        incident=case,
    )
    swept()
    batch = DisposalBatch.objects.get()
    assert set(batch.items.values_list("kind", flat=True)) == {"incidents.cp_records", "monitoring.alerts", "audit.log"}
    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(page, f"/school/retention/disposal/{batch.pk}/", "h17m-retention-batch-mixed")

    disposal.batch_approve(school=school, user=dsl, batch=batch)
    disposal.batch_approve(school=school, user=head, batch=batch)
    check_at_both_widths(
        page,
        f"/incidents/case/{case.reference}/",
        "h17m-case-disposed",
        then=lambda p, w: expect(p.locator("body")).not_to_contain_text("Featherstone"),
    )
    search = DeviceSearch.objects.get()
    check_at_both_widths(page, f"/incidents/device-searches/{search.pk}/", "h17m-device-search-disposed")
    check_at_both_widths(page, f"/monitoring/alerts/{found.pk}/", "h17m-alert-disposed")
    check_at_both_widths(page, "/monitoring/queue/?state=closed", "h17m-alerts-queue-after-disposal")
    check_at_both_widths(page, f"/school/retention/disposal/{batch.pk}/", "h17m-retention-batch-mixed-disposed")

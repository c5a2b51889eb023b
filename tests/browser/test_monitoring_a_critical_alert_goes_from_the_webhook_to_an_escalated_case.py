"""A critical alert posted by the vendor's webhook pages the DSL team; the DSL finds it at the top of the queue
on a phone, opens it and escalates it to a new case with the pupil on it. Queue and alert at 390 and 1280 px
with axe-core."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from monitoring import webhook
from monitoring.models import MonitoringAlert, Page
from tests.factories import PupilFactory
from tests.monitoring_helpers import body, one_alert, signed_headers

from .conftest import confirmed_device, screenshot, sign_in
from .widths import PHONE, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_critical_alert_from_arrival_to_an_escalated_case(page, live_server, dsl, deputy, school):
    pupil = PupilFactory(school=school, network_username="jsmith", legal_forename="Jamie", surname="Smith")
    endpoint, secret = webhook.webhook_create(school=school, vendor="smoothwall", by=dsl)
    data = body(
        one_alert(
            id="SW-CRIT-1",
            rule="Suicide and self-harm",
            severity="5",
            user="jsmith",
            text="i want to end it all tonight",
        )
    )
    answer = page.request.post(
        f"{live_server.url}/monitoring/hook/{endpoint.token}/",
        data=data,
        headers={"Content-Type": "application/json", **signed_headers(secret=secret, body=data, prefix="")},
    )
    assert answer.status == 202, answer.text()
    alert = MonitoringAlert.objects.get()
    assert alert.severity == "critical" and alert.pupil == pupil
    assert Page.objects.filter(alert=alert, kind="critical").exists()

    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(page, "/monitoring/queue/", "monitoring-queue")
    page.set_viewport_size(PHONE)
    page.goto("/monitoring/queue/")
    page.get_by_role("link", name=f"{alert.reference}: Suicide and self-harm").click()
    expect(page.get_by_test_id("captured-text")).to_have_text("i want to end it all tonight")
    expect(page.get_by_test_id("alert-state")).to_have_text("Being reviewed")
    check_at_both_widths(page, f"/monitoring/alerts/{alert.pk}/", "monitoring-alert")

    page.set_viewport_size(PHONE)
    page.goto(f"/monitoring/alerts/{alert.pk}/")
    page.get_by_label("Note for the case").fill("Called home; pupil with the pastoral lead.")
    page.get_by_role("button", name="Escalate").click()
    case = Incident.objects.get()
    expect(page).to_have_url(f"{live_server.url}/incidents/case/{case.reference}/")
    expect(page.get_by_text("Monitoring alert attached as evidence").first).to_be_visible()
    screenshot(page, "monitoring-escalated-case-390")
    alert.refresh_from_db()
    assert alert.state == "escalated" and alert.incident == case and alert.picked_up_at is not None
    assert list(case.pupil_links.current().values_list("pupil_id", flat=True)) == [pupil.pk]

"""A governor's request for a report goes through the outbox and Redis to a real Celery worker, which builds
the PDF with WeasyPrint and stores it with its SHA-256; the page the governor watches turns to "ready"."""

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding_portal.reports.models import GovernorReport
from safeguarding_portal.schools.models import Term

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


def test_a_requested_report_is_built_by_the_worker_and_offered_for_download(school, governor, signed_in, celery_worker):
    client = signed_in(governor)
    # The real clock runs here (a worker is another process): the term the school is in or last finished.
    term = Term.objects.filter(school=school, starts_on__lte=timezone.localdate()).latest("starts_on")

    response = client.post(reverse("reports:request"), {"term": term.pk})

    assert response.status_code == 302
    report = GovernorReport.objects.get()
    status_url = reverse("reports:status", args=[report.pk])

    def ready():
        report.refresh_from_db()
        return report.state == GovernorReport.State.READY

    wait_until(ready, timeout=120, what="the worker to build the report", diagnostics=celery_worker.log_tail)
    assert len(report.sha256) == 64 and report.pages >= 8 and report.size > 10_000
    panel = client.get(status_url, HTTP_HX_REQUEST="true")
    assert b"Download the PDF" in panel.content and panel["HX-Refresh"] == "true"

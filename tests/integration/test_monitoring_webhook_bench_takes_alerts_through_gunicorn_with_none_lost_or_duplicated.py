"""``manage.py bench alerts_webhook``: signed alerts posted to gunicorn from several clients at once, with
replayed deliveries and vendor retries among them, are all taken, none twice; the line has the figures."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from monitoring.models import MonitoringAlert, WebhookDelivery

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
REQUIRED = ("bench", "scale", "median_ms", "p95_ms", "queries")


def test_the_webhook_bench_loses_and_doubles_nothing(integration_services):
    out = io.StringIO()
    call_command("bench", "alerts_webhook", "--scale", "150", stdout=out, stderr=io.StringIO())
    (line,) = [json.loads(text) for text in out.getvalue().splitlines() if text.startswith("{")]

    assert all(key in line for key in REQUIRED)
    assert line["scale"] == 150 and line["errors"] == 0, line
    assert (line["lost"], line["duplicated"], line["unexpected"]) == (0, 0, 0), line
    assert line["taken"] == 150 and line["replays_refused"] == line["replays_sent"] > 0
    assert line["retries_sent"] > 0 and line["alerts_per_s"] > 0 and line["queries"] > 0
    # The figures are the database's: every alert sent is a row or a repeat folded into one, once.
    alerts = MonitoringAlert.objects.filter(school__name__startswith="Bench Webhook School")
    assert alerts.count() + line["folded"] == 150
    outcomes = list(
        WebhookDelivery.objects.filter(endpoint__school__name__startswith="Bench Webhook School").values_list(
            "outcome", flat=True
        )
    )
    assert outcomes.count("accepted") == 150 + line["retries_sent"]
    assert outcomes.count("replay") == line["replays_sent"]

"""A per-school, per-vendor webhook: the secret is shown once; a body signed with it is taken once; bad
signatures, stale timestamps, replays and malformed bodies are refused and logged."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
from django.urls import reverse

from monitoring import webhook
from monitoring.models import MonitoringAlert, WebhookDelivery, WebhookEndpoint

from .factories import PupilFactory
from .monitoring_helpers import body, one_alert, signed_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(school, dsl):
    endpoint, secret = webhook.webhook_create(school=school, vendor="smoothwall", by=dsl)
    return endpoint, secret, reverse("monitoring:webhook_receive", args=[endpoint.token])


def test_the_secret_is_shown_once_and_stored_only_encrypted(school, technician, signed_in):
    client = signed_in(technician)
    made = client.post(reverse("monitoring:webhooks"), {"vendor": "senso"})
    secret = made.context["new_secret"]["secret"]
    assert secret.encode() in made.content and made["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    assert secret not in endpoint.secret_encrypted and webhook.secret_of(endpoint) == secret
    assert secret.encode() not in client.get(reverse("monitoring:webhooks")).content


def test_a_signed_alert_is_taken_and_matched(client, school, hook):
    pupil = PupilFactory(school=school, network_username="kid1")
    _endpoint, secret, url = hook
    data = body(one_alert(id="SW-1"))
    response = client.post(url, data, content_type="application/json", **signed_headers(secret=secret, body=data))
    assert response.status_code == 202, response.content
    alert = MonitoringAlert.objects.get()
    assert (alert.channel, alert.external_id, alert.pupil, alert.severity) == ("webhook", "SW-1", pupil, "high")
    assert WebhookDelivery.objects.get().outcome == "accepted"


def test_a_replayed_delivery_is_refused_and_adds_nothing(client, school, hook):
    _endpoint, secret, url = hook
    data = body(one_alert())
    headers = signed_headers(secret=secret, body=data, delivery_id="d-1")
    assert client.post(url, data, content_type="application/json", **headers).status_code == 202
    again = client.post(url, data, content_type="application/json", **headers)
    assert again.status_code == 409
    assert MonitoringAlert.objects.count() == 1
    assert list(WebhookDelivery.objects.order_by("pk").values_list("outcome", flat=True)) == ["accepted", "replay"]


def test_a_retry_with_a_new_delivery_id_is_one_alert(client, school, hook):
    _endpoint, secret, url = hook
    data = body(one_alert(id="SW-9"))
    for _ in range(2):
        assert (
            client.post(
                url, data, content_type="application/json", **signed_headers(secret=secret, body=data)
            ).status_code
            == 202
        )
    assert MonitoringAlert.objects.count() == 1


@pytest.mark.parametrize(
    "tamper,outcome",
    [
        ("signature", "bad_signature"),
        ("body", "bad_signature"),
        ("old", "stale"),
        ("no_delivery", "bad_signature"),
    ],
)
def test_bad_posts_are_refused_and_logged(client, school, hook, tamper, outcome):
    _endpoint, secret, url = hook
    data = body(one_alert())
    headers = signed_headers(secret=secret, body=data, timestamp=int(time.time()) - 3600 if tamper == "old" else None)
    if tamper == "signature":
        headers["HTTP_X_PORTAL_SIGNATURE"] = "sha256=" + "0" * 64
    if tamper == "no_delivery":
        headers["HTTP_X_PORTAL_DELIVERY"] = ""
    sent = data.replace(b"i feel awful", b"i feel great") if tamper == "body" else data
    response = client.post(url, sent, content_type="application/json", **headers)
    assert response.status_code == 401
    assert not MonitoringAlert.objects.exists()
    assert WebhookDelivery.objects.get().outcome == outcome


def test_a_malformed_body_and_an_unknown_or_revoked_address_are_refused(client, school, dsl, hook):
    endpoint, secret, url = hook
    data = b'{"alerts": [{"rule": "x"}]}'
    assert (
        client.post(url, data, content_type="application/json", **signed_headers(secret=secret, body=data)).status_code
        == 400
    )
    webhook.webhook_revoke(endpoint=endpoint, by=dsl)
    good = body(one_alert())
    assert (
        client.post(url, good, content_type="application/json", **signed_headers(secret=secret, body=good)).status_code
        == 401
    )
    assert client.post("/monitoring/hook/nope/", good, content_type="application/json").status_code == 401
    assert list(WebhookDelivery.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "malformed",
        "unknown",
        "unknown",
    ]
    assert not MonitoringAlert.objects.exists()


def test_a_screenshot_sent_with_an_alert_is_kept_and_shown_to_the_dsl_team(client, school, dsl, hook, signed_in):
    _endpoint, secret, url = hook
    png = b"\x89PNG\r\n\x1a\n" + b"capture" * 8
    data = body(one_alert(id="SW-shot", screenshot=base64.b64encode(png).decode()))
    assert (
        client.post(url, data, content_type="application/json", **signed_headers(secret=secret, body=data)).status_code
        == 202
    )
    alert = MonitoringAlert.objects.get()
    assert alert.screenshot_sha256 == hashlib.sha256(png).hexdigest()
    shown = signed_in(dsl).get(reverse("monitoring:alert_screenshot", args=[alert.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == png

    bad = body(one_alert(id="SW-bad", screenshot="not base64!"))
    assert (
        client.post(url, bad, content_type="application/json", **signed_headers(secret=secret, body=bad)).status_code
        == 400
    )
    assert MonitoringAlert.objects.count() == 1

"""Every response says which browser features the portal never uses (Permissions-Policy), and /healthz tells
whoever asks only whether the instance is "ok": which services it checks, and which failed, go to the log."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEVER_USED = ("camera", "microphone", "geolocation", "payment", "usb")


def _features(response) -> dict[str, str]:
    header = response["Permissions-Policy"]
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.parametrize("url", ["/accounts/sign-in/", "/agreements/verify/", "/healthz", "/no-such-page/"])
def test_every_response_turns_off_features_the_portal_never_uses(client, school, url):
    response = client.get(url)

    features = _features(response)
    for feature in NEVER_USED:
        assert features[feature] == "()", feature


def test_signed_in_pages_carry_it_too(client, signed_in, dsl):
    signed_in(dsl)
    assert _features(client.get(reverse("home")))["camera"] == "()"


def test_health_says_only_ok(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_an_unhealthy_instance_says_only_that_it_is_not_ok_and_logs_why(client, settings, monkeypatch, caplog):
    settings.REDIS_URL = ""

    def refuse():
        raise connection.Database.OperationalError("could not connect to server at 10.0.0.5")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error"}
    assert b"database" not in response.content and b"10.0.0.5" not in response.content
    assert "database" in caplog.text

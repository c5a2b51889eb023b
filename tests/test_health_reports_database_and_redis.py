"""/healthz tells a load balancer whether this instance can serve: 200 when it can, 503 when it cannot."""

from __future__ import annotations

import json
import socket

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_healthy_without_redis_configured(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_answers_anonymous_visitors_and_head_requests(client, settings):
    settings.REDIS_URL = ""

    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


@pytest.mark.timeout(30)
def test_a_dead_redis_is_a_503_named_only_in_the_log(client, settings, caplog):
    settings.REDIS_URL = DEAD_REDIS_URL

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error"}
    assert "health: redis" in caplog.text


@pytest.mark.skipif(not _redis_listening(), reason="no Redis on 127.0.0.1:6379")
def test_a_live_redis_is_ok(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_a_database_that_does_not_answer_is_a_503(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def refuse():
        raise connection.Database.OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error"}

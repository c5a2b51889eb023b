"""The two pushed ways in, against real processes: an alert email sent over SMTP to ``manage.py
receive_alerts``, and a signed webhook post to gunicorn serving the portal. Both land in the queue once."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest
from django.conf import settings

from monitoring import mail, webhook
from monitoring.models import InboundMessage, MonitoringAlert, WebhookDelivery

from ..factories import PupilFactory
from ..monitoring_helpers import body, one_alert, signed_headers
from .conftest import _free_port, _test_database_url, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _start(command: list[str], env: dict, log_path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def env(integration_services, django_db_blocker):
    with django_db_blocker.unblock():
        url = _test_database_url()
    return {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1", "RATELIMIT_ENABLE": "False"}


def test_an_alert_email_sent_over_smtp_reaches_the_queue(env, school, dsl, tmp_path):
    PupilFactory(school=school, network_username="jsmith")
    address = mail.address_create(school=school, vendor="smoothwall", by=dsl)
    port = _free_port()
    log = tmp_path / "receive_alerts.log"
    process = _start([sys.executable, "manage.py", "receive_alerts", "--port", str(port)], env, log)
    try:

        def listening() -> bool:
            if process.poll() is not None:
                pytest.fail(f"receive_alerts exited with {process.returncode}\n{log.read_text()}")
            return b"listening" in log.read_bytes()

        wait_until(listening, timeout=60, what="receive_alerts to listen", diagnostics=log.read_text)
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "alerts@smoothwall.example", address.address, "Monitor alert"
        msg.set_content(
            "Category: Bullying\nRisk level: 4\nUser: jsmith\nDevice: PC-1\nCaptured text: loser\nAlert ID: SMTP-1\n"
        )
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(msg)
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.send_message(msg, to_addrs=["alerts-unknown@alerts.localhost"])
        wait_until(
            lambda: MonitoringAlert.objects.filter(external_id="SMTP-1").exists(),
            timeout=30,
            what="the alert from the email",
            diagnostics=log.read_text,
        )
        alert = MonitoringAlert.objects.get(external_id="SMTP-1")
        assert alert.channel == "email" and alert.pupil.network_username == "jsmith"
        assert b"Captured text: loser" in bytes(InboundMessage.objects.get().raw)
    finally:
        _stop(process)


def test_signed_webhook_posts_through_gunicorn_are_taken_once(env, school, dsl, tmp_path):
    endpoint, secret = webhook.webhook_create(school=school, vendor="senso", by=dsl)
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    process = _start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "safeguarding_portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "4",
        ],
        env,
        log,
    )
    base = f"http://127.0.0.1:{port}"

    answers: list[bytes] = []

    def post(data: bytes, headers: dict) -> int:
        request = urllib.request.Request(  # noqa: S310 (a local test server)
            f"{base}/monitoring/hook/{endpoint.token}/",
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "Host": "localhost", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a local test server)
                return response.status
        except urllib.error.HTTPError as exc:
            answers.append(exc.read()[:300])
            return exc.code

    try:

        def up() -> bool:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=10):  # noqa: S310
                    return True
            except (urllib.error.URLError, OSError):
                return False

        wait_until(up, timeout=60, what="gunicorn to answer", diagnostics=log.read_text)
        sent = 0
        for n in range(20):
            data = body(one_alert(id=f"G-{n}", rule=f"Rule {n}"))
            headers = signed_headers(secret=secret, body=data, prefix="", delivery_id=f"del-{n}")
            assert post(data, headers) == 202, answers
            assert post(data, headers) == 409  # the same delivery again: a replay
            sent += 1
        bad = body(one_alert(id="G-bad"))
        assert (
            post(bad, {"X-Portal-Signature": "sha256=00", "X-Portal-Delivery": "x", "X-Portal-Timestamp": "1"}) == 401
        )
        assert MonitoringAlert.objects.filter(external_id__startswith="G-").count() == sent  # 0 lost, 0 doubled
        outcomes = list(WebhookDelivery.objects.values_list("outcome", flat=True))
        assert outcomes.count("accepted") == sent and outcomes.count("replay") == sent
        assert outcomes.count("bad_signature") == 1
    finally:
        _stop(process)

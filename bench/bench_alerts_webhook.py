"""Sustained alert intake through the vendors' webhook: N signed alerts posted to gunicorn (production settings,
2 workers x 4 threads, on a free loopback port) by CLIENTS vendor connections at once, then counted.

Among the posts, as vendors behave: every tenth delivery is sent again with the same delivery id (a replay: it
must be refused, 409) and every tenth is sent again with a new delivery id (a retry after a timeout: taken,
202, but no second alert). Alerts about the same pupil and rule within the window fold into one alert, so the
count is of vendor ids: each alert sent must be an alert's id or a folded repeat's id, exactly once
(``lost``: answered "taken" but not in the database; ``duplicated``: in it more than once; ``unexpected``:
in it but never sent). ``median_ms``/``p95_ms`` are each alert's first post as the vendor saw it; ``queries``
are one post's, measured in this process before gunicorn starts. ``repeat`` is not used: the samples are the
N posts.

``BENCH_ALERTS_PER_POST`` (default 1): alerts in each signed post (the webhook takes ``{"alerts": [...]}`` of up
to 500), for a vendor that sends its alerts in batches; the replays and retries are then of whole posts, and
``median_ms``/``p95_ms`` are per post.

Gunicorn is another process, so the database must be PostgreSQL (a scratch one: the alerts stay, as alerts are
never deleted). Tasks (the critical alerts' pages) run inside gunicorn (no broker), emails to a dummy backend.
"""

from __future__ import annotations

import collections
import datetime
import http.client
import json
import os
import random
import statistics
import string
import tempfile
import threading
import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring import webhook
from monitoring.models import AlertEvent, EventKind, MonitoringAlert, WebhookDelivery
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import School

from . import cpu, runner
from .load_report_submission import _free_port, gunicorn_server, percentile
from .monitoring_data import LEVELS, RULES, pupils_for

NAME = "alerts_webhook"
DESCRIPTION = (
    "N signed alerts posted to the webhook through gunicorn by 8 vendor connections at once, with "
    "replays and retries among them: 0 lost, 0 duplicated"
)
DEFAULT_SCALE = 3_000
DEFAULT_REPEAT = 1
CLIENTS = 8
REPLAY_EVERY, REPLAY_AT = 10, 3  # the same delivery id again: refused
RETRY_EVERY, RETRY_AT = 10, 7  # the same alert with a new delivery id: taken, no second alert
PUPILS = 300  # few enough that some repeats fold, as in a real school's stream


def alerts_per_post() -> int:
    return max(1, min(webhook.MAX_ALERTS_PER_DELIVERY, int(os.environ.get("BENCH_ALERTS_PER_POST", "1"))))


def _database_url() -> str:
    """The database this process uses (under pytest, the test database), for gunicorn."""
    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _payload(n: int, *, token: str, rng: random.Random, start: datetime.datetime) -> dict[str, Any]:
    user = f"w{token.lower()}{rng.randrange(PUPILS)}" if n % 40 else f"guest{n % 97}"
    # Alert 0 is posted in this process, whose tasks may go to a broker nobody reads: it pages nobody.
    level = "2" if n == 0 else rng.choice(LEVELS)
    return {
        "id": f"WH-{token}-{n}",
        "time": (start + datetime.timedelta(seconds=n)).isoformat(),
        "rule": rng.choice(RULES),
        "severity": level,
        "user": user,
        "device": f"LAPTOP-{n % 300}",
        "text": f"words typed in a search box number {n}",
    }


class _Vendor:
    """One vendor connection (keep-alive), signing each post as the vendor would."""

    def __init__(self, port: int, path: str, secret: str):
        self.port, self.path, self.secret = port, path, secret
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, body: bytes, delivery_id: str) -> int:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Host": f"127.0.0.1:{self.port}",
            "X-Portal-Timestamp": timestamp,
            "X-Portal-Delivery": delivery_id,
            "X-Portal-Signature": webhook.sign(
                secret=self.secret, timestamp=timestamp, delivery_id=delivery_id, body=body
            ),
        }
        try:
            self.conn.request("POST", self.path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # A dropped keep-alive connection: send again with the same delivery id, as a vendor would (if the
            # first one was taken, this one is answered 409 and the caller counts the alert as taken).
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request("POST", self.path, body=body, headers=headers)
            response = self.conn.getresponse()
        response.read()
        return response.status


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise RuntimeError(
            f"{NAME} serves the portal with gunicorn, another process: point DATABASE_URL at a "
            "scratch PostgreSQL database"
        )
    if scale < 1:
        raise RuntimeError(f"{NAME} needs at least one alert to send")
    token = "".join(random.SystemRandom().choice(string.ascii_uppercase) for _ in range(5))
    school = School.objects.create(
        name=f"Bench Webhook School {token}",
        urn=f"5{random.randint(0, 99999):05d}",
        local_authority="Benchmark",
        reference_prefix=f"W{token}",
    )
    dsl = User.objects.create_user(f"bench.webhook.{token}@bench.example".lower(), "x", full_name="Bench DSL")
    Membership.objects.create(user=dsl, school=school, role=Role.DSL)
    pupils_for(school, n=PUPILS, prefix=f"w{token.lower()}")
    endpoint, secret = webhook.webhook_create(school=school, vendor="smoothwall", by=dsl)
    path = reverse("monitoring:webhook_receive", args=[endpoint.token])
    rng = random.Random(scale)
    start = timezone.now() - datetime.timedelta(seconds=scale + 600)
    per_post = alerts_per_post()
    alerts = [_payload(n, token=token, rng=rng, start=start) for n in range(scale)]
    # Post n carries alerts n*per_post ... (n+1)*per_post-1: "n" below counts posts, the ids count alerts.
    posts = [alerts[i : i + per_post] for i in range(0, scale, per_post)]
    for alert in posts[0]:
        alert["severity"] = "2"  # posted in this process, as alert 0 alone is: it pages nobody
    bodies = [json.dumps({"alerts": batch}).encode() for batch in posts]

    # One post's queries, in this process (alert 0 is sent here and counted with the rest).
    def signed(body: bytes, delivery_id: str) -> dict[str, str]:
        ts = str(int(time.time()))
        return {
            "HTTP_X_PORTAL_TIMESTAMP": ts,
            "HTTP_X_PORTAL_DELIVERY": delivery_id,
            "HTTP_X_PORTAL_SIGNATURE": webhook.sign(secret=secret, timestamp=ts, delivery_id=delivery_id, body=body),
        }

    answers: dict[int, int] = {}
    in_process = Client()
    queries = runner.count_queries(
        lambda: answers.__setitem__(
            0,
            in_process.post(
                path, bodies[0], content_type="application/json", **signed(bodies[0], f"{token}-0")
            ).status_code,
        )
    )
    if answers[0] != 202:
        raise RuntimeError(f"the first post was answered {answers[0]}")
    connections.close_all()

    port = _free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "PYTEST_VERSION",
            "PYTEST_XDIST_WORKER",
            "TEST_DATABASE_NAME",
        }
    }
    env.update(
        {
            "DJANGO_ENV": "production",
            "DEBUG": "False",
            "PORTAL_TESTING": "False",
            "DATABASE_URL": _database_url(),
            # The secret is kept encrypted with a key derived from SECRET_KEY: gunicorn must have the same one.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "STATIC_ROOT": static_root,
            "EMAIL_URL": "dummymail://",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "GUNICORN_LOG_LEVEL": "warning",
            "RATELIMIT_ENABLE": "False",
        }
    )
    lock = threading.Lock()
    todo = list(range(len(posts) - 1, 0, -1))  # popped from the end: 1, 2, 3 ...
    first_ms: list[float] = []
    errors: list[str] = []
    counts = collections.Counter()
    barrier = threading.Barrier(CLIENTS + 1)

    def vendor() -> None:
        client = _Vendor(port, path, secret)
        barrier.wait()
        while True:
            with lock:
                if not todo:
                    return
                n = todo.pop()
            try:
                began = time.perf_counter()
                status = client.post(bodies[n], f"{token}-{n}")
                elapsed = (time.perf_counter() - began) * 1000
                extra = collections.Counter()
                if n % REPLAY_EVERY == REPLAY_AT:
                    extra["replays_sent"] += 1
                    extra["replays_refused"] += client.post(bodies[n], f"{token}-{n}") == 409
                if n % RETRY_EVERY == RETRY_AT:
                    extra["retries_sent"] += 1
                    extra["retries_taken"] += client.post(bodies[n], f"{token}-{n}-retry") == 202
            except Exception as exc:  # every failure is counted, never hidden
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                answers[n] = status
                counts.update(extra)
                if status == 202:
                    first_ms.append(elapsed)
                elif status != 409:
                    errors.append(f"HTTP {status}")

    with gunicorn_server(env=env, port=port, log_dir=static_root) as server:
        threads = [threading.Thread(target=vendor, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        cpu_before = cpu.snapshot(server_pgid=server.pid, database=settings.DATABASES["default"]["NAME"])
        load_before = [round(x, 1) for x in os.getloadavg()]
        began = time.perf_counter()
        barrier.wait()
        for thread in threads:
            thread.join(600)
        wall = time.perf_counter() - began
        cpu_after = cpu.snapshot(server_pgid=server.pid, database=settings.DATABASES["default"]["NAME"])

    # Count in the database: each vendor id sent is an alert or a folded repeat, once.
    sent = {f"WH-{token}-{n}" for n in range(scale)}
    taken = {a["id"] for n, status in answers.items() if status in (202, 409) for a in posts[n]}
    present = collections.Counter(MonitoringAlert.objects.filter(school=school).values_list("external_id", flat=True))
    folded = 0
    for data in AlertEvent.objects.filter(school=school, kind=EventKind.REPEATED).values_list("data", flat=True):
        present[data.get("external_id", "")] += 1
        folded += 1
    deliveries = collections.Counter(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("outcome", flat=True)
    )
    timing = runner.Timing(tuple(first_ms) or (0.0,))
    line = runner.result(
        bench=NAME,
        scale=scale,
        timing=timing,
        queries=queries,
        clients=CLIENTS,
        gunicorn_workers=2,
        gunicorn_threads=4,
        alerts_per_post=per_post,
        posts=len(posts),
        cpus=os.cpu_count(),
        # The machine's load (1, 5, 15 minutes) as the posts began and when they were counted: a shared machine's
        # other work shows here, and in wall-clock figures, not in the CPU per alert.
        load_average_before=load_before,
        load_average_after=[round(x, 1) for x in os.getloadavg()],
        duration_s=round(wall, 1),
        alerts_per_s=round(len(taken) / wall, 1) if wall else 0.0,
        taken=len(taken),
        folded=folded,
        lost=len(taken - set(present)),
        duplicated=sum(c - 1 for c in present.values() if c > 1),
        unexpected=len(set(present) - sent),
        errors=len(errors),
        error_examples=sorted(set(errors))[:3],
        replays_sent=counts["replays_sent"],
        replays_refused=counts["replays_refused"],
        retries_sent=counts["retries_sent"],
        retries_taken=counts["retries_taken"],
        deliveries_accepted=deliveries["accepted"],
        deliveries_refused_as_replays=deliveries["replay"],
        p99_ms=round(percentile(first_ms, 0.99), 1),
        mean_ms=round(statistics.fmean(first_ms), 1) if first_ms else 0,
        cpu_ms_per_alert=cpu.per_unit(cpu_before, cpu_after, len(taken)),
        tasks="in gunicorn (no broker)",
        debug=False,
    )
    runner.progress(
        f"{NAME}: {line['alerts_per_s']} alerts/s, median {line['median_ms']} ms, p95 {line['p95_ms']} "
        f"ms, lost {line['lost']}, duplicated {line['duplicated']}, errors {line['errors']}"
    )
    return line

"""Load test: how many incident reports a second gunicorn sustains on this machine, with no errors.

    DATABASE_URL=postgres://... .venv/bin/python bench/load_report_submission.py --clients 8 --duration 30

It builds (or reuses) a bench school with ``--scale`` incidents, collects the static files into a temporary
directory, starts gunicorn with production settings (DEBUG off, a throwaway SECRET_KEY, ALLOWED_HOSTS
127.0.0.1, on 127.0.0.1 only, on a free port), then runs ``--clients`` threads. Each thread signs in through
the real sign-in form as a different member of staff and submits the real report form (two pupils, a fresh
submission token each time) for ``--duration`` seconds. It prints one JSON line (reports/second, errors,
latency percentiles) and stops gunicorn, whatever happens. Nothing leaves loopback; nothing new is installed
(http.client from the standard library).

With no REDIS_URL the alert email task runs in-process after each report (the embedded default), which is
slower than handing it to a broker; the line says which was used.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding_portal.settings")
    import django  # why: the load-test worker sets Django up first

    django.setup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One signed-in person: a keep-alive connection and their cookies."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | list | None = None) -> tuple[int, dict, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": f"127.0.0.1:{self.port}"}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # A worker recycled (max_requests) closes keep-alive connections: reconnect once.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, dict(response.headers), text

    def csrf_from(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        match = CSRF_INPUT.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path}: HTTP {status}, no form token")
        return match.group(1)


def sign_in(browser: Browser, email: str, password: str) -> None:
    token = browser.csrf_from("/accounts/sign-in/")
    status, _, _ = browser.request(
        "POST", "/accounts/sign-in/", {"csrfmiddlewaretoken": token, "username": email, "password": password}
    )
    if status != 302:
        raise RuntimeError(f"sign-in as {email}: HTTP {status}")


def report_form(token: str, pupil_ids: list[int]) -> list[tuple[str, str]]:
    from django.utils import timezone  # why: the load-test worker sets Django up first

    fields = [
        ("csrfmiddlewaretoken", token),
        ("submission_token", str(uuid.uuid4())),
        ("immediate_risk", "no"),
        ("occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M")),
        ("location", "on_site"),
        ("location_detail", "ICT suite"),
        ("category", "cyberbullying"),
        ("description", "Two pupils said a group chat has been posting unkind edited photos of one of them."),
        ("device", "personal"),
        ("device_detail", "Pupil's own phone"),
        ("action_taken", "Reassured them and said I would pass it on."),
        ("others_involved", ""),
    ]
    for pk, role in zip(pupil_ids, ("harmed", "harming"), strict=False):
        fields += [("pupil", str(pk)), (f"pupil_role_{pk}", role)]
    return fields


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else 0.0


@contextlib.contextmanager
def gunicorn_server(
    *, env: dict[str, str], port: int, log_dir: str, after_stop: Callable[[], None] | None = None
) -> Iterator[subprocess.Popen]:
    """collectstatic, then gunicorn with ``env`` on 127.0.0.1:``port``; yields once it answers, and stops it
    (its whole process group) whatever happens. ``after_stop`` runs last (e.g. emptying a broker)."""
    python = sys.executable
    # Our own interpreter and scripts, with fixed arguments.
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    log = open(Path(log_dir) / "gunicorn.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(python).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "safeguarding_portal.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start; see " + log.name)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if after_stop is not None:
            after_stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20_000, help="incidents already at the school")
    parser.add_argument("--clients", type=int, default=8, help="concurrent members of staff")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of submitting (at most 300)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2-4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.duration <= 300 or not 1 <= args.workers <= 4:
        parser.error("keep it bounded: 1-64 clients, 1-300 seconds, 1-4 workers")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("point DATABASE_URL at a scratch PostgreSQL database")

    _setup_django()
    from django.contrib.auth.hashers import make_password  # why: the load-test worker sets Django up first

    from bench import cpu  # after _setup_django has put the project on the path
    from bench.generator import BENCH_PASSWORD  # why: the load-test worker sets Django up first
    from bench.incident_data import build_incidents  # why: the load-test worker sets Django up first
    from safeguarding_portal.accounts.models import Membership, User  # why: the load-test worker sets Django up first
    from safeguarding_portal.accounts.policy import Role  # why: the load-test worker sets Django up first
    from safeguarding_portal.schools.models import Pupil  # why: the load-test worker sets Django up first

    data = build_incidents(schools=1, incidents=args.scale, progress=lambda m: print(m, file=sys.stderr))
    school = data.school()
    from incidents.models import Incident, TimelineEntry

    last_case_id = Incident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    staff_ids = list(
        Membership.objects.filter(school=school, role=Role.STAFF, job_title="Teacher")
        .order_by("pk")
        .values_list("user_id", flat=True)[: args.clients]
    )
    if len(staff_ids) < args.clients:
        parser.error(f"the bench school has only {len(staff_ids)} teachers")
    staff = list(User.objects.filter(pk__in=staff_ids).order_by("pk"))
    # The hasher gunicorn will use (the production default), so the real sign-in form accepts them.
    User.objects.filter(pk__in=staff_ids).update(password=make_password(BENCH_PASSWORD))
    pupils = list(Pupil.objects.filter(school=school).order_by("pk").values_list("pk", flat=True)[:40])
    from django.db import connections  # why: the load-test worker sets Django up first

    connections.close_all()

    port = _free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DEBUG": "False",
        "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback stands in for the TLS proxy
        "STATIC_ROOT": static_root,
        "EMAIL_URL": "dummymail://",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_LOG_LEVEL": "warning",
        # Every simulated person comes from 127.0.0.1: the per-address rate limits would stop them all at once.
        "RATELIMIT_ENABLE": "False",
    }
    with gunicorn_server(env=env, port=port, log_dir=static_root) as server:
        browsers = []
        for user in staff:
            browser = Browser(port)
            sign_in(browser, user.email, BENCH_PASSWORD)
            browsers.append(browser)
        print(f"{len(browsers)} members of staff signed in; submitting for {args.duration:.0f}s", file=sys.stderr)

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(len(browsers) + 1)
        stop_at = [0.0]

        def client(index: int, browser: Browser) -> None:
            chosen = [pupils[(2 * index) % len(pupils)], pupils[(2 * index + 1) % len(pupils)]]
            token = browser.csrf_from("/incidents/report/")
            start.wait()
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    status, headers, _ = browser.request("POST", "/incidents/report/", report_form(token, chosen))
                    location = headers.get("Location", "")
                    ok = status == 302 and "/reported/" in location
                    problem = "" if ok else f"HTTP {status}"
                    if ok:
                        with lock:
                            references.append(location.rstrip("/").rsplit("/", 1)[-1])
                except Exception as exc:  # any failure is counted, never hidden
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    if problem:
                        errors.append(problem)
                    else:
                        latencies.append(elapsed)

        references: list[str] = []
        threads = [threading.Thread(target=client, args=(i, b), daemon=True) for i, b in enumerate(browsers)]
        for t in threads:
            t.start()
        cpu_before = cpu.snapshot(server_pgid=server.pid)
        began = time.perf_counter()
        stop_at[0] = began + args.duration
        start.wait()
        for t in threads:
            t.join(args.duration + 60)
        wall = time.perf_counter() - began
        cpu_after = cpu.snapshot(server_pgid=server.pid)

    # Every report a member of staff was told was taken is in the database, once, with its chained entries.
    from django.db import connections

    from safeguarding_portal.audit import chain

    connections.close_all()
    stored = set(Incident.objects.filter(reference__in=references).values_list("reference", flat=True))
    new_cases = Incident.objects.filter(school=school, pk__gt=last_case_id)
    line_checks = {
        "lost": sum(1 for r in references if r not in stored),
        "duplicated": len(references) - len(set(references)),
        "unexpected": new_cases.exclude(reference__in=references).count(),
        "chain_intact": not chain.verify(TimelineEntry, chains=[f"school:{school.pk}"]),
    }
    line = {
        "bench": "load_report_submission",
        "scale": args.scale,
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "cpus": os.cpu_count(),
        "duration_s": round(wall, 1),
        "reports": len(latencies),
        "reports_per_s": round(len(latencies) / wall, 1),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
        **line_checks,
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "cpu_ms_per_report": cpu.per_unit(cpu_before, cpu_after, len(latencies)),
        "tasks": "broker" if os.environ.get("REDIS_URL") else "in-process (no REDIS_URL)",
        "database": "postgresql",
    }
    print(json.dumps(line))
    return (
        0
        if not errors
        and not any(line_checks[k] for k in ("lost", "duplicated", "unexpected"))
        and line_checks["chain_intact"]
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())

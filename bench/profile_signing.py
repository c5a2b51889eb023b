"""Where a parent's signing requests spend their CPU: the three requests of one parent (GET the link, POST the
signature, GET the receipt page it redirects to), in this process with Django's test client, on PostgreSQL.

    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/profile_signing.py --parents 200 [--profile out.prof]

Production settings (DEBUG off, the production middleware), a Redis broker (``PROFILE_REDIS_URL``, emptied
afterwards; no worker runs, so the tasks are sent, never run here), the same bench school as
``bench/load_signing.py``. Prints one JSON line: CPU per parent and per request (process time, so robust to
a shared machine's load), statements per request, and, with ``--profile``, writes cProfile's statistics (CPU
time) for the whole run (``python -m pstats``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=6000)
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", default="", help="write cProfile statistics here")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("point DATABASE_URL at a scratch PostgreSQL database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding_portal.settings")
    os.environ.update(
        {
            "DJANGO_ENV": "production",
            "DEBUG": "False",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "profile-signing-" + "x" * 40),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "False",
            "EMAIL_URL": "dummymail://",
            "RATELIMIT_ENABLE": "False",
            # A broker, as in production: without one the outbox runs each task in this process on commit.
            "REDIS_URL": os.environ.get("PROFILE_REDIS_URL", "redis://127.0.0.1:6379/7"),
            "STATIC_ROOT": os.environ.get("STATIC_ROOT") or tempfile.mkdtemp(prefix="profile-static-"),
        }
    )
    import django  # why: set up after the environment above

    django.setup()
    from django.core.management import call_command  # why: after setup

    call_command("collectstatic", "--noinput", verbosity=0)  # production settings serve hashed names
    from django.db import connection  # why: after setup
    from django.test import Client  # why: after setup
    from django.test.utils import CaptureQueriesContext  # why: after setup

    from bench.load_signing import CONSENT_FIELD, PNG, new_campaign_links  # why: after setup

    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    links = new_campaign_links(pupils=args.pupils, progress=say)[: args.parents + args.warmup]
    csrf = __import__("re").compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    cpu: dict[str, list[float]] = {"get": [], "post": [], "receipt": []}
    statements: dict[str, list[int]] = {"get": [], "post": [], "receipt": []}
    # CPU time, not wall time: waits for PostgreSQL (and the machine's other users) are not this process's work.
    profiler = cProfile.Profile(time.process_time) if args.profile else None

    def timed(kind: str, measured: bool, call):
        connection.queries_log.clear()  # a full log (9,000) would make every later count 0
        with CaptureQueriesContext(connection) as queries:
            if profiler and measured:
                profiler.enable()
            began = time.process_time()
            response = call()
            spent = (time.process_time() - began) * 1000
            if profiler and measured:
                profiler.disable()
        if measured:
            cpu[kind].append(spent)
            statements[kind].append(len(queries.captured_queries))
        return response

    # One client (one handler, its middleware loaded once, as a gunicorn worker's), and each parent a new
    # browser: no cookies.
    browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="profile browser")
    for n, (_, path) in enumerate(links):
        measured = n >= args.warmup
        browser.cookies.clear()
        page = timed("get", measured, lambda: browser.get(path))  # noqa: B023
        html = page.content.decode()
        form = {
            "csrfmiddlewaretoken": csrf.search(html).group(1),
            "action": "sign",
            "full_name": "Profile Test Parent",
            "agree": "on",
            "drawn_signature": PNG,
        }
        form.update({name: "yes" for name in CONSENT_FIELD.findall(html)})
        signed = timed("post", measured, lambda: browser.post(path, form))  # noqa: B023
        if signed.status_code != 302:
            raise SystemExit(f"POST answered {signed.status_code}")
        receipt = timed("receipt", measured, lambda: browser.get(signed["Location"]))  # noqa: B023
        if receipt.status_code != 200:
            raise SystemExit(f"receipt answered {receipt.status_code}")
    if profiler:
        profiler.dump_stats(args.profile)
    # The tasks queued for workers this run does not start.
    subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "FLUSHDB"], check=False, capture_output=True)  # noqa: S603,S607
    per_parent = [g + p + r for g, p, r in zip(cpu["get"], cpu["post"], cpu["receipt"], strict=True)]
    print(
        json.dumps(
            {
                "bench": "profile_signing",
                "parents": len(per_parent),
                "cpu_ms_per_parent_median": round(statistics.median(per_parent), 1),
                "cpu_ms_per_parent_mean": round(statistics.mean(per_parent), 1),
                "cpu_ms_median": {k: round(statistics.median(v), 1) for k, v in cpu.items()},
                "statements": {k: statistics.median(v) for k, v in statements.items()},
                "profiled": bool(profiler),
                "load_average": os.getloadavg()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

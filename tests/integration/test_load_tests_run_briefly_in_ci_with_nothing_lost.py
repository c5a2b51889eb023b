"""The two load tests, staff reporting and parents signing through gunicorn on PostgreSQL, run for a few
seconds as smoke tests: no errors, nothing lost, nothing duplicated, the chains intact, and (signing) each
certificate built once. How fast is for the benchmarks (README), not asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> dict:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    done = subprocess.run(  # noqa: S603 (our own bench script, with our own arguments)
        [sys.executable, str(ROOT / "bench" / script), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
    )
    lines = [json.loads(text) for text in done.stdout.splitlines() if text.startswith("{")]
    assert lines, done.stderr[-3000:]
    return lines[-1] | {"returncode": done.returncode}


def test_reporting_through_gunicorn_loses_nothing(integration_services):
    line = _run("load_report_submission.py", "--scale", "300", "--clients", "4", "--duration", "3")
    assert line["reports"] > 0 and line["errors"] == 0, line
    assert (line["lost"], line["duplicated"], line["unexpected"]) == (0, 0, 0), line
    assert line["chain_intact"] and line["returncode"] == 0, line


def test_signing_through_gunicorn_loses_nothing_and_builds_each_certificate_once(integration_services):
    # A Redis database of its own: the bench empties it afterwards (the certificate tasks it leaves for workers
    # it does not run), which must not touch the broker the integration tests' worker reads.
    broker = settings.REDIS_URL.rpartition("/")[0] + "/" + os.environ.get("LOAD_TEST_REDIS_DB", "15")
    line = _run(
        "load_signing.py",
        "--pupils",
        "80",
        "--clients",
        "4",
        "--duration",
        "3",
        "--certificates",
        "3",
        "--redis",
        broker,
    )
    assert line["parents_signed"] > 0 and line["errors"] == 0, line
    assert (line["lost"], line["duplicated"], line["unexpected"]) == (0, 0, 0), line
    assert line["chain_intact"] and line["returncode"] == 0, line
    assert line["certificates"]["rebuilt"] == 0 and line["certificates"]["one_each_with_hash"], line

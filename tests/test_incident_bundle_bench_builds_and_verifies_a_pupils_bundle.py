"""`manage.py bench transfer_bundle` builds a pupil's 40 cases, produces the CP file, then times building and
verifying the signed bundle (the figure issue 17 asks for at 2,000 entries; here a small scale, to show it runs)."""

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_bench_runs_and_reports_the_records_it_signed():
    out = io.StringIO()
    call_command("bench", "transfer_bundle", "--scale", "60", "--repeat", "1", stdout=out, stderr=io.StringIO())
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["bench"] == "transfer_bundle" and line["cases"] == 40
    assert line["records"] >= 100  # 40 cases, their reports and 60 entries at least
    assert line["median_ms"] > 0 and line["pdf_s"] is not None

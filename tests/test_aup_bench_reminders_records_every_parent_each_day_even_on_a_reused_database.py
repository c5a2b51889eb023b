"""`manage.py bench aup_reminders` times days on which every parent is due, also when run a second time on the
same database (the first run's days are already swept), and the same-day re-run records nothing."""

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _bench() -> dict[str, dict]:
    out = io.StringIO()
    call_command("bench", "aup_reminders", "--scale", "500", "--repeat", "2", stdout=out, stderr=io.StringIO())
    return {line["variant"]: line for line in map(json.loads, out.getvalue().splitlines())}


def test_both_runs_remind_every_parent_and_the_rerun_records_nothing():
    for _ in range(2):
        lines = _bench()
        assert lines["sweep"]["reminders_per_day"] == 500
        assert lines["rerun"]["recorded_again"] == 0

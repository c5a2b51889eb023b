"""The load tests say where the CPU went (gunicorn, PostgreSQL, Redis, the test's own client), per unit of work."""

from __future__ import annotations

import sys

import pytest

from bench import cpu


def test_per_unit_divides_each_groups_cpu_by_the_work_done_and_adds_a_total():
    before = {"gunicorn": 10.0, "postgres": 2.0}
    after = {"gunicorn": 13.0, "postgres": 3.0, "load_client": 0.2}  # a group that appeared mid-run counts whole

    split = cpu.per_unit(before, after, 100)

    assert split == {"gunicorn": 30.0, "load_client": 2.0, "postgres": 10.0, "total": 42.0}
    assert cpu.per_unit(before, after, 0) == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_snapshot_counts_this_process_as_the_load_client():
    sum(i * i for i in range(300_000))  # some CPU of our own to see
    snap = cpu.snapshot(server_pgid=None)

    assert snap["load_client"] > 0
    assert "gunicorn" not in snap

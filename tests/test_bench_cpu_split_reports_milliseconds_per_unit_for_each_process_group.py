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


@pytest.mark.parametrize(
    ("title", "serves"),
    [
        (b"postgres: 15/main: postgres h20w_db 127.0.0.1(41166) idle\0", True),  # Debian's cluster name first
        (b"postgres: postgres h20w_db 127.0.0.1(41166) idle in transaction\0", True),
        (b"postgres: 15/main: postgres other_db 127.0.0.1(41170) idle\0", False),  # another engineer's database
        (b"postgres: 15/main: walwriter\0", False),
        (b"/usr/lib/postgresql/15/bin/postgres\0-D\0/var/lib/postgresql/15/main\0", False),
    ],
)
def test_on_a_shared_server_only_the_bench_databases_backends_are_counted(tmp_path, monkeypatch, title, serves):
    """The machine's PostgreSQL serves other work too: its backends for other databases are not the bench's."""
    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "cmdline").write_bytes(title)
    real_path = cpu.Path
    monkeypatch.setattr(cpu, "Path", lambda p: tmp_path if p == "/proc" else real_path(p))

    assert cpu._serves(4242, "h20w_db") is serves
    assert cpu._group(4242, "postgres", None, "h20w_db") == ("postgres" if serves else None)
    assert cpu._group(4242, "postgres", None) == "postgres"  # no database named: every PostgreSQL process

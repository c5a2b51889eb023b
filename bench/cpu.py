"""Where the CPU went during a load test: gunicorn, PostgreSQL, Redis and the load generator itself.

Everything runs on the same two cores, so "signatures a second" alone cannot say whether the web processes,
the database or the test's own client is the limit. This reads each process's user + system time from
/proc (Linux) at the start and the end of the measured window and reports the difference per group.
A process that exits in between (a gunicorn worker recycled by max_requests) drops out of the figure, so
runs are kept short enough that workers do not recycle.
"""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _postgres_database(pid: int) -> str | None:
    """The database a PostgreSQL backend serves, from its process title ("postgres: 15/main: user db host(port)
    state"); None for the server's own processes (checkpointer, WAL writer), which serve every database."""
    try:
        title = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    words = title.split(":", 2)[-1].split()
    if len(words) >= 3 and "(" in words[2]:
        return words[1]
    return None


def _group(pid: int, comm: str, server_pgid: int | None, database: str | None = None) -> str | None:
    if pid == os.getpid():
        return "load_client"
    if comm == "postgres" or comm.startswith("postgres:"):
        # On a shared machine other people's databases are busy too: with ``database`` their backends are
        # counted apart ("postgres_other"), not as this test's work.
        if database is not None:
            served = _postgres_database(pid)
            if served is not None and served != database:
                return "postgres_other"
        return "postgres"
    if comm.startswith("redis-server"):
        return "redis"
    if server_pgid is not None:
        try:
            if os.getpgid(pid) == server_pgid:
                return "gunicorn"
        except OSError:
            return None
    return None


def snapshot(*, server_pgid: int | None, database: str | None = None) -> dict[str, float]:
    """CPU seconds used so far by each group's live processes (empty where /proc is missing)."""
    totals: dict[str, float] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return totals
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may itself hold spaces; the fields after it are fixed.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        group = _group(int(entry.name), comm, server_pgid, database)
        if group is None:
            continue
        utime, stime = int(fields[11]), int(fields[12])
        totals[group] = totals.get(group, 0.0) + (utime + stime) / TICKS
    return totals


def per_unit(before: dict[str, float], after: dict[str, float], units: int) -> dict[str, float]:
    """Milliseconds of CPU per unit of work (a signature, a report) for each group, and their sum."""
    if units <= 0:
        return {}
    spent = {k: max(0.0, after.get(k, 0.0) - before.get(k, 0.0)) for k in after}
    out = {k: round(v * 1000 / units, 1) for k, v in sorted(spent.items())}
    out["total"] = round(sum(v for k, v in spent.items() if k != "postgres_other") * 1000 / units, 1)
    return out

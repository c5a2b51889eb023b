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


def _serves(pid: int, database: str) -> bool:
    """Whether a PostgreSQL process is a backend connected to ``database`` (its title: "postgres: [cluster:] user
    db host state")."""
    try:
        title = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    words = title.split()
    if words[:1] != ["postgres:"]:
        return False
    words = words[1:]
    if words and words[0].endswith(":"):
        words = words[1:]  # the cluster's name (cluster_name, e.g. "15/main:")
    return len(words) >= 2 and words[1] == database


def _group(pid: int, comm: str, server_pgid: int | None, database: str | None = None) -> str | None:
    if pid == os.getpid():
        return "load_client"
    if comm == "postgres" or comm.startswith("postgres:"):
        if database is not None and not _serves(pid, database):
            return None
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
    """CPU seconds used so far by each group's live processes (empty where /proc is missing). ``database``: count
    only the PostgreSQL backends connected to it (a server shared with other work: its other databases' backends,
    and the shared WAL writer and checkpointer, are left out of the figure)."""
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
    out["total"] = round(sum(spent.values()) * 1000 / units, 1)
    return out

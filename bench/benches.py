"""The benches of ``manage.py bench`` (kind ``bench``): every ``bench/bench_*.py``, found without registration.

A module that fails to import is registered as broken, with the reason, so one half-written bench does not stop
the others from running.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from safeguarding_portal.core import plugins
from safeguarding_portal.core.management.commands.bench import Bench


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        try:
            module = importlib.import_module(f"bench.{info.name}")
        except Exception as exc:
            plugins.register(
                "bench", info.name, Bench(info.name, f"bench/{info.name}.py", None, f"{type(exc).__name__}: {exc}")
            )
            continue
        name = getattr(module, "NAME", info.name.removeprefix("bench_"))
        if not callable(getattr(module, "run", None)):
            plugins.register(
                "bench",
                info.name,
                Bench(name, f"bench/{info.name}.py", None, "it has no run(*, scale, repeat) function"),
            )
            continue
        plugins.register("bench", name, Bench(name, f"bench/{info.name}.py", module))


_register_all()

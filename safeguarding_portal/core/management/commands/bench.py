"""``python manage.py bench NAME``: run benchmarks and print one JSON object per line.

Benches are registered by the apps' ``benches.py`` (kind ``bench``): bench/benches.py registers every
``bench/bench_*.py`` (see ``bench/__init__.py``), so a new file is picked up without registration.
Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding_portal.core import plugins

REQUIRED_KEYS = ("bench", "scale", "median_ms", "p95_ms", "queries")
DEFAULT_REPEAT = 20


@dataclass(frozen=True)
class Bench:
    """A bench registered by an app's ``benches.py`` (kind ``bench``; bench/benches.py registers bench/bench_*.py)."""

    name: str
    file: str
    module: ModuleType | None  # None: it could not be loaded (``broken`` says why)
    broken: str = ""


def discover() -> tuple[dict[str, ModuleType], dict[str, str]]:
    """Bench modules by NAME, and modules that failed to load (by file) with the reason."""
    found: dict[str, ModuleType] = {}
    broken: dict[str, str] = {}
    for bench in plugins.values("bench"):
        if bench.module is None:
            broken[bench.file] = bench.broken
        else:
            found[bench.name] = bench.module
    return found, broken


class Command(BaseCommand):
    help = (
        "Run benchmarks on the database DATABASE_URL points at, printing one JSON object per line with at least "
        "bench, scale, median_ms, p95_ms and queries. `bench --list` lists them; `bench all` runs them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME", help="Benches to run, or 'all'.")
        parser.add_argument(
            "--list", action="store_true", dest="list_benches", help="List the benches (one JSON object per line)."
        )
        parser.add_argument("--scale", type=int, help="Override each bench's DEFAULT_SCALE.")
        parser.add_argument("--repeat", type=int, help=f"Timed runs per measurement (default {DEFAULT_REPEAT}).")

    def handle(
        self, *args: Any, names: list[str], list_benches: bool, scale: int | None, repeat: int | None, **options: Any
    ) -> None:
        found, broken = discover()
        for filename, reason in broken.items():
            self.stderr.write(f"{filename} could not be loaded: {reason}")
        if list_benches:
            for name, module in sorted(found.items()):
                self.stdout.write(
                    json.dumps(
                        {
                            "bench": name,
                            "default_scale": getattr(module, "DEFAULT_SCALE", None),
                            "description": getattr(module, "DESCRIPTION", ""),
                        }
                    )
                )
            return
        if not names:
            raise CommandError("Name a bench to run (or 'all'); `manage.py bench --list` shows them.")
        if scale is not None and scale < 0:
            raise CommandError("--scale cannot be negative.")
        if repeat is not None and repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        chosen = sorted(found) if names == ["all"] else names
        unknown = [n for n in chosen if n not in found]
        if unknown:
            raise CommandError(f"No bench called {', '.join(unknown)}. Available: {', '.join(sorted(found))}.")
        for name in chosen:
            module = found[name]
            bench_scale = module.DEFAULT_SCALE if scale is None else scale
            bench_repeat = repeat or getattr(module, "DEFAULT_REPEAT", DEFAULT_REPEAT)
            self.stderr.write(f"bench {name}: scale {bench_scale}, repeat {bench_repeat}")
            results = module.run(scale=bench_scale, repeat=bench_repeat)
            for line in [results] if isinstance(results, dict) else list(results):
                missing = [k for k in REQUIRED_KEYS if k not in line]
                if missing:
                    raise CommandError(f"bench {name} returned a result without {', '.join(missing)}.")
                self.stdout.write(json.dumps(line, default=str))

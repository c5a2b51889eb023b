"""The one way a domain app plugs into the foundations.

The foundations (``safeguarding_portal/``) never import a domain app (a test holds it:
tests/test_foundations_import_no_domain_app.py). A domain app adds what it brings to a shared surface by
registering it, in the module of the app named after the kind::

    # incidents/home.py
    from safeguarding_portal.core import plugins

    plugins.register("home_panel", "incidents", HomePanel(panel, template="incidents/_home_panel.html"), order=5)

and the foundations ask for every entry of a kind with ``plugins.entries(kind)`` (or ``values``/``get``). The
first time a kind is asked for, that module of every installed app is imported (INSTALLED_APPS order, like
Django's admin autodiscovery), which registers its entries. Entries come back by their declared ``order``,
then by name, so the order never depends on which module happened to be imported first.

The kinds and the module each is declared in (``KIND_MODULES``):

* ``home_panel`` (``home.py``): a ``core.selectors.HomePanel``, a panel of the home page.
* ``report_section`` (``report.py``): a ``reports.sections.Section``, a section of the governor report.
* ``trust_concerns``, ``trust_columns``, ``school_measures`` (``figures.py``): the trust report's concern
  figures and further columns, and the trust dashboard's measures.
* ``demo`` (``demo.py``): ``seed(*, demo) -> list[str]``, run by ``seed_demo`` in order.
* ``reminder_sweep`` (``reminders.py``): a ``reminders.registry.Sweep``.
* ``retention_kind`` (``retention_kinds.py``): a ``retention.registry.RecordKind``.
* ``trust_standard`` (``trust_standards.py``): a ``standards.registry.Kind``.
* ``record_access`` (``access.py``): who may see the records of a model in the audit log (accounts.policy).
* ``projection_check`` (``integrity.py``): an ``audit.projections.Check`` run by ``verify_chains``.
* ``bench`` (``benches.py``): a ``core.management.commands.bench.Bench``.
* ``sar_source`` (``sar_sources.py``): a ``sar.sources.Source``, what an app holds about a person for a subject
  access request (a domain app's kind: the sar app asks for it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, TypeVar

from django.apps import apps
from django.utils.module_loading import module_has_submodule

KIND_MODULES: dict[str, str] = {
    "home_panel": "home",
    "report_section": "report",
    "trust_concerns": "figures",
    "trust_columns": "figures",
    "school_measures": "figures",
    "demo": "demo",
    "reminder_sweep": "reminders",
    "retention_kind": "retention_kinds",
    "trust_standard": "trust_standards",
    "record_access": "access",
    "projection_check": "integrity",
    "bench": "benches",
    "sar_source": "sar_sources",
}
DEFAULT_ORDER = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    value: Any
    order: int


_ENTRIES: dict[str, dict[str, Entry]] = {kind: {} for kind in KIND_MODULES}
_DISCOVERED: set[str] = set()
_LOCK = threading.RLock()


def register(kind: str, name: str, value: T, *, order: int = DEFAULT_ORDER) -> T:
    """Register ``value`` as ``name`` of ``kind``; registering a name again replaces it (a module re-imported)."""
    if kind not in KIND_MODULES:
        raise ValueError(f"Unknown plugin kind {kind!r}: add it to core.plugins.KIND_MODULES.")
    _ENTRIES[kind][name] = Entry(kind, name, value, order)
    return value


def registers(kind: str, name: str | None = None, *, order: int = DEFAULT_ORDER) -> Callable[[T], T]:
    """``register`` as a decorator; the name defaults to the function's module and name."""

    def decorate(value: T) -> T:
        register(kind, name or f"{value.__module__}.{value.__qualname__}", value, order=order)  # type: ignore[attr-defined]
        return value

    return decorate


def unregister(kind: str, name: str) -> None:
    _ENTRIES[kind].pop(name, None)


def discover(module_name: str) -> None:
    """Import ``<app>.<module_name>`` for every installed app that has one, once per process."""
    with _LOCK:
        if module_name in _DISCOVERED:
            return
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, module_name):
                import_module(f"{app_config.name}.{module_name}")
        # Only once every module imported: a failed import is raised again on the next use, not hidden.
        _DISCOVERED.add(module_name)


def entries(kind: str) -> list[Entry]:
    discover(KIND_MODULES[kind])
    return sorted(_ENTRIES[kind].values(), key=lambda e: (e.order, e.name))


def values(kind: str) -> list[Any]:
    return [e.value for e in entries(kind)]


def named(kind: str) -> dict[str, Any]:
    """The entries of a kind by name, in order."""
    return {e.name: e.value for e in entries(kind)}


def get(kind: str, name: str) -> Any:
    """One entry's value; KeyError when no app registered it."""
    discover(KIND_MODULES[kind])
    return _ENTRIES[kind][name].value


def registry(kind: str) -> dict[str, Entry]:
    """The live entries of a kind by name, after discovery: for a test that swaps one (``monkeypatch.setitem``)."""
    discover(KIND_MODULES[kind])
    return _ENTRIES[kind]


class KindView(MutableMapping):
    """The values of one kind by name, discovered on first use: what a foundation's registry module exposes as
    its dict (``reminders.registry.SWEEPS``), so callers read it as before while the entries live here."""

    def __init__(self, kind: str) -> None:
        if kind not in KIND_MODULES:
            raise ValueError(f"Unknown plugin kind {kind!r}")
        self.kind = kind

    def __getitem__(self, name: str) -> Any:
        return registry(self.kind)[name].value

    def __setitem__(self, name: str, value: Any) -> None:
        register(self.kind, name, value)

    def __delitem__(self, name: str) -> None:
        del registry(self.kind)[name]

    def __iter__(self) -> Iterator[str]:
        return iter([e.name for e in entries(self.kind)])

    def __len__(self) -> int:
        return len(registry(self.kind))

    def __repr__(self) -> str:
        return f"KindView({self.kind!r})"

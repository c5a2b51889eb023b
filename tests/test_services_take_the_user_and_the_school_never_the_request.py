"""Services take the user and the school (and, for the audit log, the request's ``Origin``), never the request nor
the view's context object (``portal``): a task, a command or another service can call them as a view does. What a
person may see at the school, a service builds itself with ``accounts.context.acting_as(user=..., school=...)``."""

import importlib
import inspect
from pathlib import Path

import pytest

from .project_files import NOT_THE_PROJECT

ROOT = Path(__file__).resolve().parent.parent

# Write modules that are not called ``services`` but hold an app's writes all the same.
OTHER_WRITE_MODULES = [
    "incidents.procedures",
    "incidents.pupil_reports",
    "incidents.transfer_bundles",
    "incidents.transfers",
]
# The audit log's own entry points, which is where a view's request becomes an Origin and a school: ``record_view``
# records what the signed-in user opened, which is the request.
# And the reads that sit beside a module's writes and are registered where the page's context is what is passed:
# a section of the pupil's chronology page is called as ``fn(*, portal, pupil)`` (incidents.chronology).
STILL_TAKE_THE_REQUEST = {
    "safeguarding_portal.audit.services": {"record_view", "origin_of", "request_school", "audit_record"},
    "incidents.transfer_bundles": {"chronology_section"},
}
NOT_A_SERVICE_PARAMETER = ("request", "portal")


def _service_modules() -> list[str]:
    """Every ``services.py`` and every module of a ``services/`` package in the project, found on disk so a new
    app's services are held to the rule without a list to keep."""
    found = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if NOT_THE_PROJECT.intersection(parts):
            continue
        if path.name == "services.py" or "services" in parts[:-1]:
            dotted = ".".join(parts)[: -len(".py")]
            found.add(dotted.removesuffix(".__init__"))
    return sorted(found)


MODULES = sorted(set(_service_modules()) | set(OTHER_WRITE_MODULES))


def test_the_scan_finds_the_services_of_every_app():
    assert {
        "incidents.services",
        "sar.services",
        "aup.services.signing",
        "safeguarding_portal.schools.services",
    } <= set(MODULES)


def _functions(module):
    # Private helpers too: a ``_new_bundle(portal=...)`` inside a service is the same seam.
    return [
        (name, fn) for name, fn in inspect.getmembers(module, inspect.isfunction) if fn.__module__ == module.__name__
    ]


@pytest.mark.parametrize("name", MODULES)
def test_no_service_takes_the_request_or_the_views_context(name):
    module = importlib.import_module(name)
    allowed = STILL_TAKE_THE_REQUEST.get(name, set())
    taking = [
        f"{fn_name}({param})"
        for fn_name, fn in _functions(module)
        for param in NOT_A_SERVICE_PARAMETER
        if param in inspect.signature(fn).parameters and fn_name not in allowed
    ]
    assert taking == []

"""Services take the user and the school (and, for the audit log, the request's ``Origin``), never the request:
a task, a command or another service can call them as a view does."""

import importlib
import inspect

import pytest

MODULES = [
    "aup.services.campaigns",
    "aup.services.signing",
    "curriculum.services",
    "duty.services",
    "filtering.services",
    "incidents.services",
    "incidents.procedures",
    "incidents.transfers",
    "monitoring.services",
    "safeguarding_portal.audit.services",
    "safeguarding_portal.outbox.services",
    "safeguarding_portal.reminders.services",
    "safeguarding_portal.reports.services",
    "safeguarding_portal.schools.services",
    "safeguarding_portal.standards.services",
    "safeguarding_portal.retention.services",
    "sar.services",
]
# The audit log's own entry points, which is where a view's request becomes an Origin and a school: ``record_view``
# records what the signed-in user opened, which is the request.
STILL_TAKE_THE_REQUEST = {
    "safeguarding_portal.audit.services": {"record_view", "origin_of", "request_school", "audit_record"}
}


def _functions(module):
    return [
        (name, fn)
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    ]


@pytest.mark.parametrize("name", MODULES)
def test_no_service_takes_the_request(name):
    module = importlib.import_module(name)
    allowed = STILL_TAKE_THE_REQUEST.get(name, set())
    taking = [
        fn_name
        for fn_name, fn in _functions(module)
        if "request" in inspect.signature(fn).parameters and fn_name not in allowed
    ]
    assert taking == []

"""Submitting the report form (two pupils), as a member of staff, at a school with many cases."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any
from unittest import mock

from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from incidents.categories import Category
from safeguarding_portal.celery import app
from safeguarding_portal.outbox import services as outbox
from safeguarding_portal.schools.models import Pupil

from . import runner
from .incident_data import build_incidents

NAME = "report_incident"
DESCRIPTION = "POST the incident report form with two pupils as a member of staff at a school with N incidents"
DEFAULT_SCALE = 20_000  # incidents, all at one school
DEFAULT_REPEAT = 30


def report_form(pupil_ids: list[int]) -> dict[str, Any]:
    """What a browser sends: every field of the form, a fresh submission token and two pupils with roles."""
    data: dict[str, Any] = {
        "submission_token": str(uuid.uuid4()),
        "immediate_risk": "no",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "on_site",
        "location_detail": "ICT suite",
        "category": Category.CYBERBULLYING,
        "description": "Two pupils said a group chat has been posting unkind edited photos of one of them.",
        "device": "personal",
        "device_detail": "Pupil's own phone",
        "action_taken": "Reassured them and said I would pass it on.",
        "others_involved": "",
        "pupil": [str(pk) for pk in pupil_ids],
    }
    for pk, role in zip(pupil_ids, ("harmed", "harming"), strict=False):
        data[f"pupil_role_{pk}"] = role
    return data


def run(*, scale: int, repeat: int) -> dict[str, Any]:
    data = build_incidents(schools=1, incidents=scale, progress=runner.progress)
    school = data.school()
    client = runner.signed_in_client(data.persona("staff"))
    pupils = list(Pupil.objects.filter(school=school).order_by("pk").values_list("pk", flat=True)[:2])
    url = reverse("incidents:report")

    def submit() -> None:
        response = client.post(url, report_form(pupils))
        if response.status_code != 302 or "/reported/" not in response.url:
            raise RuntimeError(f"report: HTTP {response.status_code} {getattr(response, 'url', '')}")

    # What a web worker does with a broker: the report, then its tasks handed over after COMMIT (to a stand-in
    # that keeps them, so neither the tasks' own work nor a real broker's round trips are timed). Without
    # this, the embedded default (no REDIS_URL) runs every task in-process and times the worker's work too.
    sent: list[str] = []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), _stand_in_broker(sent):
        # The first report in five minutes also asks for the school's figures to be refreshed (coalesced:
        # reports.school_figures.request_refresh); count a steady-state report after it.
        submit()
        queries = runner.count_queries(submit)
        timing = runner.time_calls(submit, repeat=repeat)
    runner.progress(f"{NAME}: median {timing.median_ms:.1f} ms, {queries} queries")
    return runner.result(
        bench=NAME,
        scale=scale,
        timing=timing,
        queries=queries,
        role="staff",
        pupils=len(pupils),
        schools=data.schools,
        incidents=data.incidents,
        build_s=data.build_s,
        reused=data.reused,
        tasks_per_report=round(len(sent) / (repeat + 3), 2),
    )


@contextlib.contextmanager
def _stand_in_broker(sent: list[str]):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with (
            mock.patch.object(app, "send_task", lambda name, **kwargs: sent.append(name)),
            mock.patch.object(outbox, "_broker_marked_down", lambda: False),
        ):
            yield
    finally:
        app.conf.task_always_eager = eager

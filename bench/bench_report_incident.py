"""Submitting the report form (two pupils), as a member of staff, at a school with many cases."""

from __future__ import annotations

import uuid
from typing import Any

from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from incidents.categories import Category
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

    # Each report's alert email is sent in-process when there is no broker; the dummy backend keeps those
    # emails out of the bench's stdout, which must stay one JSON object per line.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        queries = runner.count_queries(submit)
        timing = runner.time_calls(submit, repeat=repeat)
    runner.progress(f"{NAME}: median {timing.median_ms:.1f} ms, {queries} queries")
    return runner.result(
        bench=NAME, scale=scale, timing=timing, queries=queries, role="staff", pupils=len(pupils),
        schools=data.schools, incidents=data.incidents, build_s=data.build_s, reused=data.reused,
    )

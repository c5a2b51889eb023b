"""Shared helpers for incident tests: a valid report payload and a quick way to make a case."""

from __future__ import annotations

import uuid

from django.utils import timezone

from incidents import services
from incidents.categories import Category


def report_payload(**overrides) -> dict:
    data = {
        "submission_token": str(uuid.uuid4()),
        "immediate_risk": "no",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "on_site",
        "location_detail": "ICT suite",
        "category": Category.CYBERBULLYING,
        "description": "Jo said a group chat has been posting unkind edited photos of her.",
        "device": "personal",
        "device_detail": "Jo's phone",
        "action_taken": "Reassured Jo and told her I would pass it on.",
        "others_involved": "",
    }
    data.update(overrides)
    return data


def make_case(*, school, reporter, category=Category.CYBERBULLYING, immediate_risk=False, pupils=(), **kwargs):
    return services.incident_report(
        school=school,
        reporter=reporter,
        occurred_at=timezone.now(),
        location="on_site",
        category=category,
        description=kwargs.pop("description", "Something worrying was seen on a tablet."),
        device="school",
        immediate_risk=immediate_risk,
        pupils=[services.PupilInvolvement(p.pk, "harmed") for p in pupils],
        **kwargs,
    )

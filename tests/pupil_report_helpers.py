"""What a pupil's "tell someone" form sends, and the school's link, for the pupil-report tests."""

from __future__ import annotations

import uuid

from django.urls import reverse

from incidents import pupil_reports

WORDS = "Someone in my form keeps posting my photo in a group chat with mean comments"


def tell_url(school) -> str:
    return reverse("incidents:tell", args=[pupil_reports.pupil_link_for(school=school).key])


def thanks_url(school) -> str:
    return reverse("incidents:tell_thanks", args=[pupil_reports.pupil_link_for(school=school).key])


def pupil_payload(**overrides) -> dict:
    data = {
        "about": "unkind",
        "description": WORDS,
        "when": "week",
        "still_happening": "yes",
        "name": "",
        "website": "",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data

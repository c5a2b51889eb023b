"""The DSL's search box at a school with many cases and pupils: a pupil's full name either way round, part of
it, a UPN and a case reference (schools.search, incidents.selectors._search)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from incidents.models import IncidentPupil

from . import runner
from .bench_dashboard import measure
from .incident_data import build_incidents

NAME = "search"
DESCRIPTION = (
    "GET /incidents/dashboard/?q=... at one school of N incidents and 2,000 pupils: full name, "
    "reversed, part of each, UPN, reference"
)
DEFAULT_SCALE = 20_000
DEFAULT_REPEAT = 30
PUPILS = 2_000


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_incidents(schools=1, incidents=scale, pupils_per_school=PUPILS, progress=runner.progress)
    school = data.school()
    link = (
        IncidentPupil.objects.filter(incident__school=school)
        .select_related("pupil", "incident")
        .order_by("pupil_id")
        .first()
    )
    pupil, case = link.pupil, link.incident
    url = reverse("incidents:dashboard")
    pages = [
        ("full name", f"{url}?{urlencode({'q': f'{pupil.legal_forename} {pupil.surname}'})}"),
        ("surname first", f"{url}?{urlencode({'q': f'{pupil.surname} {pupil.legal_forename}'})}"),
        ("part of each", f"{url}?{urlencode({'q': f'{pupil.legal_forename[:3]} {pupil.surname[:3]}'})}"),
        ("upn", f"{url}?{urlencode({'q': pupil.upn})}"),
        ("reference", f"{url}?{urlencode({'q': case.reference})}"),
    ]
    return measure(bench=NAME, scale=scale, repeat=repeat, data=data, pages=pages, pupils=PUPILS)

"""Closed cases about pupils born long ago, for the disposal tests (safeguarding_portal/retention/disposal.py)."""

from __future__ import annotations

import datetime

from incidents import services
from incidents.models import CaseStep, Incident, Status
from safeguarding_portal.retention import disposal

from .factories import PupilFactory
from .incident_helpers import make_case

OLD = datetime.date(1990, 3, 1)  # 25 long before any suite day: due
YOUNG = datetime.date(2015, 3, 1)  # 25 in 2040: not due


def pupil(school, born: datetime.date = OLD, **kwargs):
    return PupilFactory(school=school, date_of_birth=born, **kwargs)


def closed_case(*, school, reporter, dsl, pupils=(), text: str = "Told a teacher what happened at home.") -> Incident:
    incident = make_case(
        school=school, reporter=reporter, pupils=pupils, description="Amelia said her stepfather hit her."
    )
    for step in CaseStep.objects.filter(incident=incident, mandatory=True, done_entry__isnull=True):
        services.case_step_done(step=step, by=dsl, note="Not needed here.", not_needed=True)
    services.case_add_information(incident=incident, by=reporter, text=text)
    services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Referred; family supported.")
    incident.refresh_from_db()
    return incident


def swept(today: datetime.date | None = None) -> int:
    from django.utils import timezone

    return disposal.sweep(today=today or timezone.localdate(), force=True)

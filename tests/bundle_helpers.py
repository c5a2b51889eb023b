"""Shared helpers for transfer bundle tests: a portal outside a request, a pupil with records, a produced file."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from incidents import transfers
from safeguarding_portal.accounts.context import SESSION_KEY, PortalContext

from .factories import PupilFactory
from .incident_helpers import make_case


def portal_for(user, school) -> PortalContext:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request.session[SESSION_KEY] = f"school:{school.pk}"
    return PortalContext(request)


def leaver_with_records(*, school, reporter, cases: int = 2):
    pupil = PupilFactory(school=school, legal_forename="Sam", surname="Mover", upn="A123456789012")
    for n in range(cases):
        make_case(school=school, reporter=reporter, pupils=[pupil], description=f"Concern number {n + 1} about Sam.")
    return pupil


def produced(*, school, dsl, pupil):
    return transfers.cp_file_produce(portal=portal_for(dsl, school), pupil=pupil, by=dsl)

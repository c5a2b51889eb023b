"""Demo records for subject access requests (``manage.py seed_demo``): at Oakfield, a parent's request about a
pupil with cases, received three weeks ago, with one passage already marked as another child's information.

Idempotent: seeded only if Oakfield has no request yet."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from incidents.models import IncidentPupil, Route
from safeguarding_portal.accounts.context import acting_as

from . import pack, services
from .models import Exemption, SubjectAccessRequest


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    dsl = demo.users["dsl"]
    existing = SubjectAccessRequest.objects.filter(school=school).select_related("subject_pupil").order_by("pk").first()
    if existing is not None:
        return [_line(existing)]  # a second run prints what the first did
    link = (
        IncidentPupil.objects.current()
        .filter(incident__school=school, incident__route=Route.DSL)
        .select_related("pupil")
        .order_by("pk")
        .first()
    )
    if link is None:
        return []
    pupil = link.pupil
    with transaction.atomic():
        sar = services.request_log(
            school=school,
            by=dsl,
            requester_name="Hannah Morgan",
            relationship="parent",
            received_on=timezone.localdate() - datetime.timedelta(days=21),
            identity_check="Known parent; photo ID seen at the office and parental responsibility checked in the MIS.",
            subject_pupil=pupil,
        )
        notes = [
            p
            # The pack as the DSL reads it at the school (their visibility), as on the page.
            for s in pack.gather(portal=acting_as(user=dsl, school=school), request=sar)
            for r in s.records
            for p in r.passages
            if p.key.startswith("incidents.entry:") and len(p.text) > 20
        ]
        if notes:
            services.redaction_mark(
                school=school,
                sar=sar,
                by=dsl,
                target=notes[0].key,
                exemption=Exemption.THIRD_PARTY,
                reason="Names another child and their family; no consent to disclose.",
            )
    return [_line(sar)]


def _line(sar: SubjectAccessRequest) -> str:
    return (
        f"Subject access request {sar.pk} about {sar.subject_name}, due {sar.deadline:%-d %b %Y} "
        "(School menu, Subject access requests)"
    )

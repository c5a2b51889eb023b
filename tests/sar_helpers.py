"""Shared helpers for subject access request tests: a pupil with something in every source, and logging a
request through the page."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import EntryKind
from safeguarding_portal.schools import services as school_services
from sar.models import SubjectAccessRequest

from .factories import PupilFactory
from .factories_monitoring import alert
from .incident_helpers import make_case

THIRD_PARTY = "Morgan Fairweather"  # another child, named in the report and a note


def pupil_with_records(*, school, reporter, dsl):
    pupil = PupilFactory(school=school, legal_forename="Riley", surname="Hartwell", network_username="riley.h")
    case = make_case(
        school=school,
        reporter=reporter,
        pupils=[pupil],
        description=f"Riley showed me messages from {THIRD_PARTY} calling her names.",
    )
    incident_services.case_record(
        incident=case, by=dsl, kind=EntryKind.NOTE, text=f"Spoke to {THIRD_PARTY}'s mother, who lives at 4 Quarry Lane."
    )
    incident_services.case_record(
        incident=case, by=dsl, kind=EntryKind.NOTE, text="Riley is happier now and has a key adult."
    )
    alert(school, username="riley.h", captured_text="searched for how to block someone")
    school_services.flag_add(
        school=school,
        user=dsl,
        pupil=pupil,
        kind="young_carer",
        starts_on=timezone.localdate() - datetime.timedelta(days=40),
        ends_on=None,
    )
    return pupil, case


def log_request(
    client,
    *,
    pupil=None,
    staff=None,
    received_on: datetime.date | None = None,
    requester="Jamie Hartwell",
    relationship="parent",
) -> SubjectAccessRequest:
    data = {
        "requester_name": requester,
        "relationship": relationship,
        "about": "pupil" if pupil is not None else "staff",
        "subject_pupil": pupil.pk if pupil is not None else "",
        "subject_staff": staff.pk if staff else "",
        "received_on": (received_on or timezone.localdate()).isoformat(),
        "identity_check": "Passport and a council tax bill seen at reception.",
    }
    response = client.post(reverse("sar:new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return SubjectAccessRequest.objects.latest("pk")


def mark(client, sar, *, target: str, exemption: str = "third_party", phrase: str = "", reason: str = "Another child"):
    return client.post(
        reverse("sar:mark", args=[sar.pk]),
        {"target": target, "exemption": exemption, "phrase": phrase, "reason": reason},
    )

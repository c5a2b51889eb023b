"""A referral's agency corrected after the case closed can reopen a required step ("Inform the police" when
the referral in fact went to MASH). The case stays closed, but its page says plainly, at the top, that a
required step is open again and which one, and the case is in the "Required steps still open" queue, until
the step is done or recorded as not needed. A case closed before steps were enforced, its steps never done,
stays out of that queue."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.categories import Category
from incidents.models import EntryKind, Status

from . import clock
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]

WARNING = "This case is closed, but a required step is open again"


def _closed_case_with_a_police_referral(school, staff, dsl):
    incident = make_case(school=school, reporter=staff, category=Category.SEXUAL_ABUSE_EXPLOITATION)
    services.case_acknowledge(incident=incident, by=dsl)
    referral = services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.REFERRAL,
        text="Referral made",
        data={"agency": "police", "when": "2026-11-20T10:00"},
    )
    for step in incident.steps.filter(mandatory=True, done_entry__isnull=True):
        services.case_step_done(step=step, by=dsl, note="Done")
    services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved")
    return incident, referral


def _page(client, incident) -> str:
    response = client.get(reverse("incidents:case", args=[incident.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_of_a_closed_case_warns_of_a_required_step_reopened_by_a_correction(
    client, signed_in, school, staff, dsl
):
    incident, referral = _closed_case_with_a_police_referral(school, staff, dsl)
    signed_in(dsl)
    assert WARNING not in _page(client, incident)

    response = client.post(
        reverse("incidents:case_action", args=[incident.reference]),
        {
            "action": "correct",
            "entry": str(referral.pk),
            "field": "agency",
            "value": "social_care",
            "text": "It went to MASH, not the police",
        },
    )
    assert response.status_code == 302

    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.open_mandatory_steps == 1
    page = _page(client, incident)
    assert WARNING in page
    warning = page.split(WARNING)[1].split("</div>")[0]
    assert "Inform the police" in warning

    # Recorded by hand on the closed case, the step is done and the warning goes.
    police = incident.steps.get(text__startswith="Inform the police")
    services.case_step_done(step=police, by=dsl, note="Told the police on 101 after all")
    assert WARNING not in _page(client, incident)


def _steps_open_queue(client) -> tuple[str, int]:
    from incidents.selectors import queue_counts

    response = client.get(reverse("incidents:dashboard"), {"queue": "steps_open"})
    return response.content.decode(), queue_counts(portal=response.wsgi_request.portal)["steps_open"]


def test_a_closed_case_with_a_reopened_required_step_is_in_the_steps_open_queue_until_it_is_done(
    client, signed_in, school, staff, dsl
):
    from django.utils import timezone

    from incidents.models import Incident

    incident, referral = _closed_case_with_a_police_referral(school, staff, dsl)
    legacy = make_case(school=school, reporter=staff, category=Category.PHISHING_SCAMS)
    Incident.objects.filter(pk=legacy.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), acknowledged_at=timezone.now()
    )
    signed_in(dsl)
    page, count = _steps_open_queue(client)
    assert incident.reference not in page and legacy.reference not in page and count == 0

    services.case_correct(
        incident=incident, by=dsl, entry=referral, field="agency", value="social_care", reason="It went to MASH"
    )
    page, count = _steps_open_queue(client)
    assert incident.reference in page and legacy.reference not in page and count == 1

    services.case_step_done(
        step=incident.steps.get(text__startswith="Inform the police"), by=dsl, note="Told the police on 101 after all"
    )
    page, count = _steps_open_queue(client)
    assert incident.reference not in page and count == 0

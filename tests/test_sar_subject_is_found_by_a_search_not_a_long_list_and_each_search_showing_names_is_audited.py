"""The SAR form's subject is found by a search (HTMX) instead of one long list of every pupil: pupils on roll or
left, or staff, of this school only; only those who log requests may search; a search that shows names is audited
(how many, whom), one that shows nobody is not; the chosen subject comes back checked when the form has an error."""

import pytest
from django.urls import reverse

from safeguarding_portal.audit.models import AuditEvent

from .factories import PupilFactory
from .sar_helpers import log_request

pytestmark = pytest.mark.django_db


def _search(client, q, about="pupil"):
    return client.get(reverse("sar:subject_search"), {"subject_q": q, "about": about}, headers={"HX-Request": "true"})


def test_the_form_lists_nobody_until_a_search(client, signed_in, school, office):
    for n in range(30):
        PupilFactory(school=school, legal_forename=f"Pupil{n}", surname=f"Listed{n}")
    signed_in(office)
    page = client.get(reverse("sar:new")).content.decode()
    assert "Listed1" not in page and 'data-testid="subject-search"' in page


def test_a_search_finds_pupils_on_roll_and_left_of_this_school_only(
    client, signed_in, school, other_school, office, dsl
):
    import datetime

    here = PupilFactory(school=school, legal_forename="Octavia", surname="Pemberton")
    left = PupilFactory(school=school, legal_forename="Oscar", surname="Pemberton", left_on=datetime.date(2025, 7, 20))
    PupilFactory(school=other_school, legal_forename="Olive", surname="Pemberton")
    signed_in(office)

    page = _search(client, "pember").content.decode()
    assert "Octavia" in page and "Oscar" in page and "left 20 Jul 2025" in page and "Olive" not in page
    assert f'value="{here.pk}"' in page and f'value="{left.pk}"' in page and 'name="subject_pupil"' in page
    event = AuditEvent.objects.get(detail__search="sar_subject")
    assert event.actor == office and sorted(event.detail["shown"]) == sorted([here.pk, left.pk])

    assert "Nobody" in _search(client, "zzzz").content.decode()
    assert "Octavia" not in _search(client, "p").content.decode()  # two letters at least
    assert AuditEvent.objects.filter(detail__search="sar_subject").count() == 1  # names shown once

    staff_page = _search(client, dsl.full_name[:4], about="staff").content.decode()
    assert 'name="subject_staff"' in staff_page and dsl.full_name in staff_page


def test_only_those_who_log_requests_may_search(client, signed_in, school, staff, governor):
    PupilFactory(school=school, legal_forename="Octavia", surname="Pemberton")
    for person in (staff, governor):
        signed_in(person)
        assert _search(client, "pember").status_code == 403
    assert not AuditEvent.objects.filter(detail__search="sar_subject").exists()


def test_the_chosen_subject_logs_the_request_and_comes_back_checked_after_an_error(client, signed_in, school, office):
    pupil = PupilFactory(school=school, legal_forename="Octavia", surname="Pemberton")
    signed_in(office)
    again = client.post(
        reverse("sar:new"), {"about": "pupil", "subject_pupil": pupil.pk, "relationship": "parent", "received_on": ""}
    )
    page = again.content.decode()
    assert again.status_code == 200 and f'value="{pupil.pk}" checked' in page
    sar = log_request(client, pupil=pupil)
    assert sar.subject_pupil == pupil

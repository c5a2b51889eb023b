"""Once every pupil on a case has left, the case stays open to those who could see it, read-only, but for the DSL
team: the head cannot add to it, the reporter cannot add further information, the DSL team still acts."""

import pytest
from django.urls import reverse

from incidents.models import EntryKind, TimelineEntry

from .factories import PupilFactory
from .incident_helpers import make_case
from .leaver_helpers import mark_left

pytestmark = pytest.mark.django_db


def _note(client, case, text):
    return client.post(
        reverse("incidents:case_action", args=[case.reference]), {"action": "record", "kind": "note", "text": text}
    )


def test_the_dsl_team_still_acts_and_the_case_says_it_is_read_only(client, signed_in, dsl, staff, school):
    gone = PupilFactory(school=school)
    case = make_case(school=school, reporter=staff, pupils=[gone])
    mark_left(gone)
    signed_in(dsl)
    page = client.get(reverse("incidents:case", args=[case.reference]))
    assert page.status_code == 200 and 'data-testid="leavers-case"' in page.content.decode()
    assert _note(client, case, "Sent on to the new school's DSL").status_code == 302
    assert TimelineEntry.objects.filter(incident=case, kind=EntryKind.NOTE, author=dsl).exists()


def test_the_head_reads_but_cannot_add_to_a_leavers_case(client, signed_in, dsl, head, staff, school):
    from incidents.categories import Category

    gone = PupilFactory(school=school)
    allegation = make_case(
        school=school, reporter=dsl, pupils=[gone], category=Category.STAFF_CONDUCT, subject_staff=staff
    )
    signed_in(head)
    assert _note(client, allegation, "Before leaving").status_code == 302  # on roll: the head acts
    mark_left(gone)
    assert client.get(reverse("incidents:case", args=[allegation.reference])).status_code == 200
    assert _note(client, allegation, "After leaving").status_code == 404
    assert not TimelineEntry.objects.filter(incident=allegation, text="After leaving").exists()


def test_the_reporter_cannot_add_further_information(client, signed_in, staff, school):
    gone = PupilFactory(school=school)
    case = make_case(school=school, reporter=staff, pupils=[gone])
    mark_left(gone)
    signed_in(staff)
    page = client.get(reverse("incidents:my_report", args=[case.reference]))
    assert 'data-testid="report-read-only"' in page.content.decode()
    client.post(reverse("incidents:my_report", args=[case.reference]), {"text": "One more thing"})
    assert not TimelineEntry.objects.filter(incident=case, kind=EntryKind.FURTHER_INFO).exists()

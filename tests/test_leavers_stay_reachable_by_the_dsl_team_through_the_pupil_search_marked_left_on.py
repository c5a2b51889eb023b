"""Pupils who have left stay reachable by the DSL team through the pupil search, marked "Left on <date>", with
their record and chronology; they are out of everyone else's pupil list."""

import datetime

import pytest
from django.urls import reverse

from .factories import PupilFactory
from .incident_helpers import make_case
from .leaver_helpers import mark_left

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["dsl", "deputy"])
def test_a_name_typed_finds_a_pupil_who_has_left_marked_with_the_day(who, request, client, signed_in, staff, school):
    gone = PupilFactory(school=school, legal_forename="Perpetua", surname="Quillfeather")
    case = make_case(school=school, reporter=staff, pupils=[gone])
    mark_left(gone, on=datetime.date(2026, 7, 22))
    signed_in(request.getfixturevalue(who))
    html = client.get(reverse("schools:pupil_list"), {"q": "quillf"}).content.decode()
    assert "Quillfeather" in html and "Left on 22 Jul 2026" in html
    assert "Quillfeather" not in client.get(reverse("schools:pupil_list")).content.decode()  # not in the roll
    assert "Quillfeather" in client.get(reverse("schools:pupil_list"), {"left": "1"}).content.decode()
    chronology = client.get(reverse("incidents:chronology", args=[gone.pk]))
    assert chronology.status_code == 200 and case.reference in chronology.content.decode()


def test_the_head_lists_pupils_on_roll_only(client, signed_in, head, school):
    gone = PupilFactory(school=school, legal_forename="Perpetua", surname="Quillfeather")
    mark_left(gone)
    signed_in(head)
    for params in ({"q": "quillf"}, {"left": "1"}):
        assert "Quillfeather" not in client.get(reverse("schools:pupil_list"), params).content.decode()

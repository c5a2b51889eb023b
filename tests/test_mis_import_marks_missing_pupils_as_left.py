"""Pupils on roll but missing from the file are marked as left, never deleted, and come back if listed again."""

import pytest
from django.utils import timezone

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Pupil

from .factories import PupilFactory

pytestmark = pytest.mark.django_db

HEADER = "UPN,Forename,Surname,DOB,Year\n"


def _row(n: int) -> str:
    return f"A{n:011d}0,Pupil{n},Surname{n},17/05/2016,5\n"


def test_a_pupil_missing_from_the_file_is_marked_as_left_today(school):
    import_people(school=school, kind="pupils", data=(HEADER + _row(1) + _row(2) + _row(3)).encode())

    run = import_people(school=school, kind="pupils", data=(HEADER + _row(1) + _row(2)).encode())

    assert (run.left, run.updated, run.created) == (1, 0, 0)
    gone = Pupil.objects.get(upn="A000000000030")
    assert gone.left_on == timezone.localdate()
    assert Pupil.objects.filter(school=school).count() == 3  # kept on record
    assert run.details["left_ids"] == [gone.pk]


def test_a_pupil_who_reappears_is_back_on_roll(school):
    import_people(school=school, kind="pupils", data=(HEADER + _row(1) + _row(2)).encode())
    import_people(school=school, kind="pupils", data=(HEADER + _row(1)).encode())

    run = import_people(school=school, kind="pupils", data=(HEADER + _row(1) + _row(2)).encode())

    assert (run.updated, run.details["rejoined"], run.created) == (1, 1, 0)
    assert Pupil.objects.get(upn="A000000000020").left_on is None


def test_pupils_who_had_already_left_and_other_schools_pupils_are_untouched(school, other_school):
    long_gone = PupilFactory(school=school, left_on=timezone.localdate().replace(year=2020))
    elsewhere = PupilFactory(school=other_school)

    import_people(school=school, kind="pupils", data=(HEADER + _row(1)).encode())

    long_gone.refresh_from_db()
    elsewhere.refresh_from_db()
    assert long_gone.left_on.year == 2020 and elsewhere.left_on is None


def test_a_file_that_would_empty_most_of_the_roll_needs_confirming(school):
    import_people(school=school, kind="pupils", data=(HEADER + "".join(_row(n) for n in range(1, 41))).encode())
    one_class = (HEADER + "".join(_row(n) for n in range(1, 11))).encode()

    refused = import_people(school=school, kind="pupils", data=one_class)

    assert refused.status == "rejected"
    assert "would mark 30 of the 40 pupils on roll as left" in refused.errors[0]["message"]
    assert Pupil.objects.filter(school=school).on_roll().count() == 40

    confirmed = import_people(school=school, kind="pupils", data=one_class, allow_many_leavers=True)

    assert (confirmed.status, confirmed.left) == ("applied", 30)
    assert Pupil.objects.filter(school=school).on_roll().count() == 10

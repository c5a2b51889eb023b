"""One UPN is one pupil: repeated rows must agree, and a disagreement is reported on every row involved."""

import pytest

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Pupil

pytestmark = pytest.mark.django_db


def test_the_same_upn_with_different_dates_of_birth_is_an_error_on_both_rows(school):
    data = (
        "UPN,Forename,Surname,DOB,Year\n"
        "A123456789012,Oliver,Smith,17/05/2016,5\n"
        "B123456789012,Amara,Okafor,03/11/2019,R\n"
        "A123456789012,Olivia,Smith,18/05/2016,5\n"
    )
    run = import_people(school=school, kind="pupils", data=data.encode())

    assert run.status == "rejected"
    found = sorted((e["row"], e["column"], e["value"]) for e in run.errors)
    assert found == [
        (2, "DOB", "17/05/2016"),
        (2, "Forename", "Oliver"),
        (4, "DOB", "18/05/2016"),
        (4, "Forename", "Olivia"),
    ]
    messages = {e["message"] for e in run.errors if e["column"] == "DOB"}
    assert messages == {
        "UPN A123456789012 is on rows 2 and 4 with different dates of birth "
        "(“17/05/2016”, “18/05/2016”). One UPN is one pupil: correct the UPN or the details."
    }
    assert not Pupil.objects.exists()


def test_repeated_rows_that_agree_are_one_pupil(school):
    data = (
        "UPN,Forename,Surname,DOB,Year,Contact Name\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,Jane Smith\n"
        "a123456789012,OLIVER,Smith,2016-05-17,Year 5,David Smith\n"
    )
    run = import_people(school=school, kind="pupils", data=data.encode())

    assert run.status == "applied", run.errors
    assert Pupil.objects.get().guardians.count() == 2


def test_one_contact_twice_for_a_pupil_with_different_relationships_is_an_error_on_both_rows(school):
    data = (
        "UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email,Relationship\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,Jane Smith,jane@home.example,Mother\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,Jane Smith,jane@home.example,Aunt\n"
    )
    run = import_people(school=school, kind="pupils", data=data.encode())

    assert sorted((e["row"], e["column"]) for e in run.errors) == [(2, "Relationship"), (3, "Relationship")]

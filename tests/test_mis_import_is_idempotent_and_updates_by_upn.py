"""Re-importing the same file changes nothing; a changed file updates pupils found by their UPN."""

import pytest

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian

pytestmark = pytest.mark.django_db

FILE = (
    "UPN,Forename,Known As,Surname,DOB,Year,Reg Group,Contact Name,Contact Email,Relationship,Contact Phone\n"
    "A123456789012,Oliver,Ollie,Smith,17/05/2016,5,5B,Jane Smith,jane@home.example,Mother,07700 900123\n"
    "A123456789012,Oliver,Ollie,Smith,17/05/2016,5,5B,David Smith,,Father,\n"
    "C123456789012,Mia,,Smith,01/09/2018,2,2A,Jane Smith,jane@home.example,Mother,07700 900123\n"
    "B123456789012,Amara,,Okafor,03/11/2019,R,RO,Grace Okafor,grace@home.example,Mother,\n"
)


def _snapshot(school):
    return (
        sorted(
            Pupil.objects.filter(school=school).values_list(
                "pk",
                "upn",
                "legal_forename",
                "preferred_forename",
                "surname",
                "date_of_birth",
                "year_group",
                "registration_group",
                "left_on",
                "updated_at",
            )
        ),
        sorted(Guardian.objects.filter(school=school).values_list("pk", "full_name", "email", "phone")),
        sorted(
            PupilGuardian.objects.filter(pupil__school=school).values_list(
                "pk", "pupil_id", "guardian_id", "relationship", "contact_priority", "has_parental_responsibility"
            )
        ),
    )


def test_importing_the_same_file_again_changes_nothing(school):
    first = import_people(school=school, kind="pupils", data=FILE.encode())
    before = _snapshot(school)

    again = import_people(school=school, kind="pupils", data=FILE.encode())

    assert (first.created, first.details["guardians_created"]) == (3, 3)
    assert (again.status, again.created, again.updated, again.left, again.unchanged) == ("applied", 0, 0, 0, 3)
    assert {
        k: again.details[k]
        for k in ("guardians_created", "guardians_updated", "links_created", "links_updated", "links_removed")
    } == dict.fromkeys(("guardians_created", "guardians_updated", "links_created", "links_updated", "links_removed"), 0)
    assert _snapshot(school) == before


def test_a_changed_row_updates_the_pupil_with_that_upn(school):
    import_people(school=school, kind="pupils", data=FILE.encode())
    oliver_id = Pupil.objects.get(upn="A123456789012").pk
    moved_up = FILE.replace("17/05/2016,5,5B", "17/05/2016,6,6B")

    run = import_people(school=school, kind="pupils", data=moved_up.encode())

    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    oliver = Pupil.objects.get(upn="A123456789012")
    assert (oliver.pk, oliver.year_group, oliver.registration_group) == (oliver_id, "6", "6B")
    assert Pupil.objects.filter(school=school).count() == 3


def test_columns_missing_from_a_later_file_are_left_as_they_were(school):
    import_people(school=school, kind="pupils", data=FILE.encode())
    names_only = "UPN,Forename,Surname,DOB,Year\n" + "".join(
        f"{line.split(',')[0]},{line.split(',')[1]},{line.split(',')[3]},{line.split(',')[4]},{line.split(',')[5]}\n"
        for line in FILE.splitlines()[1:]
    )

    run = import_people(school=school, kind="pupils", data=names_only.encode())

    assert (run.created, run.updated) == (0, 0)
    oliver = Pupil.objects.get(upn="A123456789012")
    assert (oliver.preferred_forename, oliver.registration_group) == ("Ollie", "5B")
    assert oliver.guardians.count() == 2  # a file without contact columns does not touch contacts

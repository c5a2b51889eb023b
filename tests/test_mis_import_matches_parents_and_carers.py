"""Parents and carers are found by email; one without an email by name among that pupil's own contacts."""

import pytest

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Guardian, PupilGuardian

from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory

pytestmark = pytest.mark.django_db

HEADER = "UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email,Relationship,Priority\n"
OLIVER = "A123456789012,Oliver,Smith,17/05/2016,5,"


def _import_oliver_with(school, *contacts: str):
    """Import Oliver with these contacts, each "name,email,relationship,priority"."""
    data = HEADER + "".join(f"{OLIVER}{contact}\n" for contact in contacts)
    return import_people(school=school, kind="pupils", data=data.encode())


def test_a_contact_without_an_email_is_matched_by_name_among_the_pupils_own_contacts(school):
    oliver = PupilFactory(school=school, upn="A123456789012", legal_forename="Oliver", surname="Smith")
    dad = GuardianFactory(school=school, full_name="David Smith", email="")
    PupilGuardianFactory(pupil=oliver, guardian=dad, relationship="Father", contact_priority=2)
    namesake_elsewhere = GuardianFactory(school=school, full_name="David Smith", email="")

    run = _import_oliver_with(school, "david smith,,Father,2")

    assert run.details["guardians_created"] == 0
    assert list(oliver.guardians.all()) == [dad]
    assert not namesake_elsewhere.pupil_links.exists()


def test_an_address_changed_in_the_mis_updates_the_same_guardian(school):
    _import_oliver_with(school, "Jane Smith,old@home.example,Mother,1")
    jane = Guardian.objects.get(school=school)

    run = _import_oliver_with(school, "Jane Smith,new@home.example,Mother,1")

    assert (run.details["guardians_created"], run.details["guardians_updated"]) == (0, 1)
    jane.refresh_from_db()
    assert jane.email == "new@home.example"
    assert Guardian.objects.filter(school=school).count() == 1


def test_a_contact_the_mis_no_longer_lists_is_unlinked_but_kept(school):
    _import_oliver_with(school, "Jane Smith,jane@home.example,Mother,1", "Sam Jones,sam@home.example,Carer,2")

    run = _import_oliver_with(school, "Jane Smith,jane@home.example,Mother,1")

    assert run.details["links_removed"] == 1
    assert list(PupilGuardian.objects.values_list("guardian__email", flat=True)) == ["jane@home.example"]
    assert Guardian.objects.filter(email="sam@home.example").exists()


def test_another_schools_guardian_with_the_same_email_is_never_touched(school, other_school):
    theirs = GuardianFactory(school=other_school, full_name="Jane Smith", email="jane@home.example")

    _import_oliver_with(school, "Jane Doe,jane@home.example,Mother,1")

    theirs.refresh_from_db()
    assert theirs.full_name == "Jane Smith" and not theirs.pupil_links.exists()
    assert Guardian.objects.get(school=school).full_name == "Jane Doe"


def test_relationship_priority_and_parental_responsibility_are_updated_on_the_link(school):
    data = "UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email,Relationship,Priority,Parental Responsibility\n"
    import_people(
        school=school, kind="pupils", data=(data + OLIVER + "Sam Jones,sam@home.example,Step-father,1,Yes\n").encode()
    )

    run = import_people(
        school=school, kind="pupils", data=(data + OLIVER + "Sam Jones,sam@home.example,Carer,3,No\n").encode()
    )

    link = PupilGuardian.objects.get()
    assert (link.relationship, link.contact_priority, link.has_parental_responsibility) == ("Carer", 3, False)
    assert run.details["links_updated"] == 1 and run.updated == 0

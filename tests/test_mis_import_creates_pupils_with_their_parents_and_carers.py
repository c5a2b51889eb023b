"""A pupils file creates pupils, their parents and carers, and the links between them, in either layout."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Guardian, ImportRun, Pupil, PupilGuardian

pytestmark = pytest.mark.django_db

ONE_ROW_PER_CONTACT = (
    "UPN,Legal Forename,Preferred Forename,Surname,DOB,Year,Reg Group,"
    "Contact Name,Contact Email,Relationship,Priority\n"
    "A123456789012,Oliver,Ollie,Smith,17/05/2016,5,5B,Jane Smith,jane.smith@home.example,Mother,1\n"
    "A123456789012,Oliver,Ollie,Smith,17/05/2016,5,5B,David Smith,,Father,2\n"
    "B123456789012,Amara,,Okafor,03/11/2019,R,RO,Grace Okafor,GRACE@home.example,Mother,1\n"
)


def test_one_row_per_pupil_and_contact_creates_each_pupil_once_with_all_contacts(school):
    run = import_people(school=school, kind="pupils", data=ONE_ROW_PER_CONTACT.encode(), filename="roll.csv")

    assert run.status == ImportRun.Status.APPLIED
    assert (run.created, run.updated, run.left, run.rows) == (2, 0, 0, 3)
    oliver = Pupil.objects.get(school=school, upn="A123456789012")
    assert (oliver.legal_forename, oliver.preferred_forename, oliver.surname) == ("Oliver", "Ollie", "Smith")
    assert oliver.date_of_birth == datetime.date(2016, 5, 17)
    assert (oliver.year_group, oliver.registration_group, oliver.left_on) == ("5", "5B", None)
    links = {link.guardian.full_name: link for link in PupilGuardian.objects.filter(pupil=oliver)}
    assert set(links) == {"Jane Smith", "David Smith"}
    assert (links["Jane Smith"].relationship, links["Jane Smith"].contact_priority) == ("Mother", 1)
    assert (links["David Smith"].relationship, links["David Smith"].contact_priority) == ("Father", 2)
    assert links["David Smith"].guardian.email == ""
    amara = Pupil.objects.get(school=school, upn="B123456789012")
    assert amara.year_group == "R"
    # Addresses are matched without regard to case, so they are kept in lower case.
    assert amara.guardians.get().email == "grace@home.example"
    assert run.details["guardians_created"] == 3 and run.details["links_created"] == 3


def test_one_row_per_pupil_with_numbered_contact_columns(school):
    data = (
        b"UPN,Forename,Surname,Date of Birth,Year Group,Class,"
        b"Contact 1 Name,Contact 1 Email,Contact 1 Relationship,Contact 2 Name,Contact 2 Email,Contact 2 Relationship\n"
        b"A123456789012,Oliver,Smith,17/05/2016,Year 5,5B,Jane Smith,jane@home.example,Mother,"
        b"Sam Jones,sam@home.example,Step-father\n"
        b"B123456789012,Amara,Okafor,03/11/2019,Reception,RO,Grace Okafor,grace@home.example,Mother,,,\n"
    )

    run = import_people(school=school, kind="pupils", data=data, filename="roll.csv")

    assert run.status == ImportRun.Status.APPLIED, run.errors
    oliver = Pupil.objects.get(school=school, upn="A123456789012")
    ordered = list(PupilGuardian.objects.filter(pupil=oliver).order_by("contact_priority"))
    assert [(link.guardian.full_name, link.relationship, link.contact_priority) for link in ordered] == [
        ("Jane Smith", "Mother", 1),
        ("Sam Jones", "Step-father", 2),
    ]
    assert Pupil.objects.get(upn="B123456789012").guardians.count() == 1


def test_brothers_and_sisters_share_one_record_of_their_parent(school):
    data = (
        b"UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email,Relationship\n"
        b"A123456789012,Oliver,Smith,17/05/2016,5,Jane Smith,jane@home.example,Mother\n"
        b"C123456789012,Mia,Smith,01/09/2018,2,Jane Smith,Jane@Home.example,Mother\n"
    )

    import_people(school=school, kind="pupils", data=data)

    jane = Guardian.objects.get(school=school)
    assert sorted(jane.children.values_list("legal_forename", flat=True)) == ["Mia", "Oliver"]


def test_the_upload_page_applies_a_good_file_and_shows_the_counts(client, dsl, signed_in, school):
    signed_in(dsl)
    upload = SimpleUploadedFile("roll.csv", ONE_ROW_PER_CONTACT.encode(), content_type="text/csv")

    response = client.post(reverse("schools:import"), {"kind": "pupils", "file": upload}, follow=True)

    assert response.status_code == 200
    run = ImportRun.objects.get(school=school)
    assert response.redirect_chain[-1][0] == reverse("schools:import_result", args=[run.pk])
    assert b"Pupils added" in response.content and b"The file was applied in full" in response.content
    assert reverse("schools:pupil_list").encode() in response.content
    assert (run.uploaded_by, run.filename, run.created) == (dsl, "roll.csv", 2)
    assert Pupil.objects.filter(school=school).count() == 2

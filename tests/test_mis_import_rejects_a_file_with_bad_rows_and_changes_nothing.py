"""Any bad row rejects the whole file: nothing changes, and the report says row, column, value and why."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Guardian, ImportRun, Pupil

from .factories import PupilFactory

pytestmark = pytest.mark.django_db

BAD_FILE = (
    "UPN,Legal Forename,Surname,DOB,Year,Reg Group,Contact Name,Contact Email,Relationship\n"
    "A123456789012,Oliver,Smith,17/05/2016,5,5B,Jane Smith,jane@home.example,Mother\n"  # row 2: good
    "B123456789012,Amara,Okafor,31/02/2019,R,RO,Grace Okafor,grace@home.example,Mother\n"  # 3: impossible date
    "C123456789012,,Jones,01/09/2018,2,2A,,,\n"  # 4: no legal forename
    "D123456789012,Mia,Patel,01/09/2018,2,2A,Ravi Patel,ravi.patel@home,Father\n"  # 5: malformed email
    "E12345,Leo,Brown,01/09/2018,2,2A,,,\n"  # 6: bad UPN
    "F123456789012,Ava,Green,01/09/2022,N,N1,,,\n"  # 7: nursery
    "G123456789012,Noah,White,01/09/2018,Year 14,,,,\n"  # 8: unknown year group
    "H123456789012,Ella,Black,,3,3C,Tom Black,,\n"  # 9: missing date of birth
    "J123456789012,Isla,Grey,01/09/2017,3,3C,,,Mother\n"  # 10: a contact without a name
)


def _by_row(run):
    return {(e["row"], e["column"]): e for e in run.errors}


def test_every_bad_row_is_reported_with_its_spreadsheet_row_column_and_value(school):
    run = import_people(school=school, kind="pupils", data=BAD_FILE.encode(), filename="roll.csv")

    assert run.status == ImportRun.Status.REJECTED
    errors = _by_row(run)
    assert set(errors) == {
        (3, "DOB"),
        (4, "Legal Forename"),
        (5, "Contact Email"),
        (6, "UPN"),
        (7, "Year"),
        (8, "Year"),
        (9, "DOB"),
        (10, "Contact Name"),
    }
    assert errors[(3, "DOB")]["value"] == "31/02/2019"
    assert "does not exist" in errors[(3, "DOB")]["message"]
    assert errors[(4, "Legal Forename")]["message"] == "The legal forename is missing."
    assert errors[(5, "Contact Email")]["message"] == "This is not a valid email address."
    assert errors[(6, "UPN")]["message"].startswith("A UPN is 13 characters")
    assert "Nursery" in errors[(7, "Year")]["message"]
    assert errors[(8, "Year")]["value"] == "Year 14"
    assert errors[(9, "DOB")]["message"] == "The date of birth is missing."
    assert "name is missing" in errors[(10, "Contact Name")]["message"]
    assert run.error_count == 8 and run.rows == 9


def test_a_rejected_file_changes_nothing_and_is_still_recorded(school):
    already = PupilFactory(school=school, upn="Z123456789012", legal_forename="Zara", year_group="4")

    run = import_people(school=school, kind="pupils", data=BAD_FILE.encode(), filename="roll.csv")

    # The good row 2 was not applied either, and the pupil missing from the file was not marked as left.
    assert list(Pupil.objects.filter(school=school)) == [already]
    already.refresh_from_db()
    assert already.left_on is None and already.year_group == "4"
    assert not Guardian.objects.filter(school=school).exists()
    saved = ImportRun.objects.get(pk=run.pk)
    assert (saved.status, saved.created, saved.updated, saved.left) == ("rejected", 0, 0, 0)
    assert saved.errors and saved.sha256 and saved.filename == "roll.csv"


def test_a_list_of_addresses_in_one_cell_is_refused(school):
    data = (
        "UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,Jane Smith,jane@home.example; dave@home.example\n"
    )
    run = import_people(school=school, kind="pupils", data=data.encode())
    assert "one email address in each cell" in run.errors[0]["message"]


def test_two_people_giving_one_address_is_an_error_on_both_rows(school):
    data = (
        "UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,Jane Smith,family@home.example\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,David Smith,family@home.example\n"
    )
    run = import_people(school=school, kind="pupils", data=data.encode())
    assert run.status == "rejected"
    assert sorted(e["row"] for e in run.errors) == [2, 3]
    assert all("needs their own address" in e["message"] for e in run.errors)


def test_the_upload_page_shows_the_report_and_keeps_the_chosen_kind(client, dsl, signed_in, school):
    signed_in(dsl)
    upload = SimpleUploadedFile("roll.csv", BAD_FILE.encode(), content_type="text/csv")

    response = client.post(reverse("schools:import"), {"kind": "pupils", "file": upload})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was changed: 8 problems" in body
    assert 'data-testid="import-errors"' in body and "31/02/2019" in body and "ravi.patel@home" in body
    assert not Pupil.objects.filter(school=school).exists()
    assert ImportRun.objects.get(school=school).status == "rejected"


def test_the_date_of_birth_is_checked_against_today(school):
    data = "UPN,Forename,Surname,DOB,Year\nA123456789012,Oliver,Smith,17/05/2016,5\n"
    run = import_people(school=school, kind="pupils", data=data.encode(), today=datetime.date(2016, 1, 1))
    assert run.errors[0]["message"] == "This date of birth is in the future."

"""A file that is not a readable CSV, or lacks a needed column, gets a clear message and never an error page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import ImportRun, Pupil

pytestmark = pytest.mark.django_db


def _only_message(run) -> str:
    assert run.status == "rejected"
    assert len(run.errors) >= 1 and run.errors[0]["row"] is None
    return " ".join(e["message"] for e in run.errors)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (b"\r\n\r\n , ,\r\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00 rest of a zip", "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "older Excel workbook (.xls)"),
        (b"%PDF-1.7 a report", "This is a PDF"),
        (b"UPN,Forename\x00,Surname\n", "not a text file"),
        (b"UPN,Forename,Surname,DOB,Year\n", "header row but no pupils"),
    ],
)
def test_unreadable_or_empty_files_are_explained(school, data, expected):
    assert expected in _only_message(import_people(school=school, kind="pupils", data=data))


def test_a_missing_column_is_named_with_the_spellings_accepted(school):
    data = b"UPN,Forename,Surname,Year\nA123456789012,Oliver,Smith,5\n"
    message = _only_message(import_people(school=school, kind="pupils", data=data))
    assert message == "There is no column for the date of birth. Name it one of: DOB, Date of Birth, Birth Date."


def test_two_columns_that_mean_the_same_thing_are_refused(school):
    data = b"UPN,Forename,First Name,Surname,DOB,Year\nA123456789012,Oliver,Ollie,Smith,17/05/2016,5\n"
    message = _only_message(import_people(school=school, kind="pupils", data=data))
    assert "Columns B (“Forename”) and C (“First Name”) both look like the legal forename" in message


def test_a_staff_file_uploaded_as_pupils_says_so(school):
    data = b"Name,Email,Role\nSam Patel,s.patel@school.example,Staff\n"
    message = _only_message(import_people(school=school, kind="pupils", data=data))
    assert "This looks like a staff file" in message


def test_a_broken_quote_is_reported_not_crashed_on(school):
    data = b'UPN,Forename,Surname,DOB,Year\nA123456789012,"Oliver,Smith,17/05/2016,5\n'
    run = import_people(school=school, kind="pupils", data=data)
    assert run.status == "rejected"  # the open quote swallows the row, so its columns are missing


def test_utf16_from_excels_unicode_text_is_read(school):
    data = "UPN\tForename\tSurname\tDOB\tYear\nA123456789012\tZoë\tSmith\t17/05/2016\t5\n".encode("utf-16")
    run = import_people(school=school, kind="pupils", data=data)
    assert run.status == "applied", run.errors
    assert Pupil.objects.get(school=school).legal_forename == "Zoë"


def test_a_file_over_5_mb_is_refused_by_the_form_before_it_is_read(client, dsl, signed_in, school):
    signed_in(dsl)
    big = SimpleUploadedFile("huge.csv", b"UPN,Forename\n" + b"x" * (5 * 1024 * 1024 + 1), content_type="text/csv")

    response = client.post(reverse("schools:import"), {"kind": "pupils", "file": big})

    assert response.status_code == 200
    assert b"the limit is 5 MB" in response.content
    assert not ImportRun.objects.exists()


def test_no_file_at_all_keeps_the_form_and_the_chosen_kind(client, dsl, signed_in, school):
    signed_in(dsl)

    response = client.post(reverse("schools:import"), {"kind": "staff", "end_missing_staff": "on"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body
    assert re.search(r'<input[^>]*value="staff"[^>]*checked', body)
    assert re.search(r'<input[^>]*name="end_missing_staff"[^>]*checked', body)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00",
        b"\x81\x8d\x8f\x90\x9d",
        b'"' * 1000,
        b"UPN\n" + b"A" * 200_000 + b"\n",
        b"\n" * 50 + b"UPN\n",
        "UPN,Forename,Surname,DOB,Year\n,,,,,,,,,,\n\u2028,\u0000\n".encode(),
    ],
)
def test_nothing_a_user_uploads_produces_a_server_error(client, dsl, signed_in, school, data):
    signed_in(dsl)
    upload = SimpleUploadedFile("odd.csv", data, content_type="text/csv")

    response = client.post(reverse("schools:import"), {"kind": "pupils", "file": upload})

    assert response.status_code == 200
    assert b"Nothing was changed" in response.content
    assert ImportRun.objects.get(school=school).status == "rejected"

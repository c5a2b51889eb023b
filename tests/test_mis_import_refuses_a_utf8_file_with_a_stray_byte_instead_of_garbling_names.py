"""A UTF-8 export with one byte that is not UTF-8 is refused, naming the line and the byte, rather than re-read as
Windows-1252, which would turn every accented name in it into mojibake ("ZoÃ«") for pupils and their parents.
A file that is Windows-1252 throughout (Excel's ordinary "CSV") is still read as such."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import Guardian, ImportRun, Pupil

from .factories import PupilFactory

pytestmark = pytest.mark.django_db

HEADER = "UPN,Forename,Surname,DOB,Year,Contact Name,Contact Email,Parental Responsibility\n"
ZOE = "A123456789012,Zoë,O\u2019Brien,17/05/2016,5,Siân O\u2019Brien,sian@home.example,Yes\n"


def _utf8_with_a_stray_byte() -> bytes:
    # Someone pasted a name from a Windows-1252 file into the UTF-8 export: "é" as the single byte 0xE9.
    third = "B123456789012,Ren,Dupont,02/03/2016,5,Ren\u00e9e Dupont,renee@home.example,Yes\n"
    return (HEADER + ZOE).encode("utf-8") + third.encode("cp1252")


def test_a_utf8_file_with_one_stray_byte_is_refused_with_its_line_and_byte(school):
    run = import_people(school=school, kind="pupils", data=_utf8_with_a_stray_byte())

    assert run.status == ImportRun.Status.REJECTED
    message = " ".join(e["message"] for e in run.errors)
    assert "line 3" in message
    assert "0xE9" in message
    assert "UTF-8" in message
    assert not Pupil.objects.filter(school=school).exists()
    assert not Guardian.objects.filter(school=school).exists()


def test_existing_names_are_not_overwritten_with_mojibake(school):
    pupil = PupilFactory(school=school, upn="A123456789012", legal_forename="Zoë", surname="O\u2019Brien")

    import_people(school=school, kind="pupils", data=_utf8_with_a_stray_byte())

    pupil.refresh_from_db()
    assert (pupil.legal_forename, pupil.surname) == ("Zoë", "O\u2019Brien")
    assert not Pupil.objects.filter(legal_forename__contains="Ã").exists()


def test_the_upload_page_says_what_to_do(client, signed_in, dsl, school):
    signed_in(dsl)
    upload = SimpleUploadedFile("pupils.csv", _utf8_with_a_stray_byte(), content_type="text/csv")

    response = client.post(reverse("schools:import"), {"kind": "pupils", "file": upload})

    assert response.status_code == 200
    assert b"Nothing was changed" in response.content
    assert b"line 3" in response.content


def test_a_file_in_windows_1252_throughout_is_still_read(school):
    data = (HEADER + ZOE).encode("cp1252")

    run = import_people(school=school, kind="pupils", data=data)

    assert run.status == ImportRun.Status.APPLIED, run.errors
    pupil = Pupil.objects.get(school=school)
    assert (pupil.legal_forename, pupil.surname) == ("Zoë", "O\u2019Brien")
    assert Guardian.objects.get(school=school).full_name == "Siân O\u2019Brien"


def test_a_clean_utf8_file_is_read_as_utf8(school):
    run = import_people(school=school, kind="pupils", data=(HEADER + ZOE).encode("utf-8"))

    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert Pupil.objects.get(school=school).legal_forename == "Zoë"

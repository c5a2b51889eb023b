"""The MIS import takes an .xlsx as it takes a CSV: same headers, same all-or-nothing checks and row report,
and pupils' network user names and school emails from either (they match monitoring alerts to pupils)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import ImportRun, Pupil

from .spreadsheets import workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = [
    "UPN",
    "Legal Forename",
    "Surname",
    "DOB",
    "Year",
    "Reg Group",
    "Network Username",
    "School Email",
    "Contact Name",
    "Contact Email",
    "Relationship",
]
GOOD = [
    [
        "A123456789012",
        "Oliver",
        "Smith",
        datetime.datetime(2016, 5, 17),
        5,
        "5B",
        "osmith16",
        "O.Smith@oak.example",
        "Jane Smith",
        "jane@home.example",
        "Mother",
    ],
    ["B123456789012", "Amara", "Okafor", datetime.datetime(2019, 2, 1), "R", "RO", "aokafor19", None, None, None, None],
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(data: bytes, name: str = "roll.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_a_workbook_imports_pupils_with_their_network_user_names_school_emails_and_contacts(
    client, dsl, school, signed_in
):
    signed_in(dsl)
    response = client.post(
        reverse("schools:import"), {"kind": "pupils", "file": _upload(workbook_bytes({"Roll": [HEADER, *GOOD]}))}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    oliver = Pupil.objects.get(upn="A123456789012")
    assert oliver.date_of_birth == datetime.date(2016, 5, 17)
    assert (oliver.network_username, oliver.school_email) == ("osmith16", "o.smith@oak.example")
    assert oliver.guardian_links.get().guardian.email == "jane@home.example"
    amara = Pupil.objects.get(upn="B123456789012")
    assert (amara.network_username, amara.school_email) == ("aokafor19", "")
    assert ImportRun.objects.get().status == ImportRun.Status.APPLIED


@pytest.mark.parametrize(
    ("username_header", "email_header"), [("Username", "Pupil Email"), ("Network Login", "Student Email")]
)
def test_a_csv_with_other_spellings_imports_them_too(school, username_header, email_header):
    csv = (
        f"UPN,Legal Forename,Surname,DOB,Year,{username_header},{email_header}\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,osmith16,oliver@oak.example\n"
    )
    run = import_people(school=school, kind="pupils", data=csv.encode(), filename="roll.csv")
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert Pupil.objects.values_list("network_username", "school_email").get() == ("osmith16", "oliver@oak.example")


def test_a_workbook_with_bad_rows_changes_nothing_and_reports_each_row_and_column(school):
    rows = [
        HEADER,
        *GOOD,
        ["C123456789012", "Mia", "Patel", "31/02/2018", 2, "2A", "mpatel", "not-an-email", None, None, None],
        ["D123456789012", "Leo", "Brown", datetime.datetime(2018, 1, 1), 2, "2A", "osmith16", None, None, None, None],
    ]
    run = import_people(school=school, kind="pupils", data=workbook_bytes({"Roll": rows}), filename="roll.xlsx")
    assert run.status == ImportRun.Status.REJECTED
    errors = {(e["row"], e["column"]): e for e in run.errors}
    assert errors[(4, "DOB")]["value"] == "31/02/2018"
    assert errors[(4, "School Email")]["message"] == "This is not a valid email address."
    # One network user name is one pupil: both rows that share it are named.
    assert "share this network user name" in errors[(2, "Network Username")]["message"]
    assert (5, "Network Username") in errors
    assert not Pupil.objects.exists()


def test_a_workbook_with_several_sheets_asks_which_one_and_then_imports_it(client, dsl, school, signed_in):
    signed_in(dsl)
    data = workbook_bytes({"Notes": [["Exported 3 Sept"]], "Roll": [HEADER, *GOOD]})
    response = client.post(reverse("schools:import"), {"kind": "pupils", "file": _upload(data)})
    assert response.status_code == 200
    text = response.content.decode()
    i = text.find("id_sheet")
    assert "This workbook has 2 sheets" in text and '<option value="Roll"' in text, text[i - 1500 : i + 1500]
    assert not ImportRun.objects.exists() and not Pupil.objects.exists()
    response = client.post(reverse("schools:import"), {"kind": "pupils", "sheet": "Roll", "file": _upload(data)})
    assert response.status_code == 302
    assert Pupil.objects.count() == 2


def test_monitoring_alerts_find_the_pupils_by_the_imported_user_name_or_school_email(school):
    from . import factories_monitoring

    run = import_people(
        school=school, kind="pupils", data=workbook_bytes({"Roll": [HEADER, *GOOD]}), filename="roll.xlsx"
    )
    assert run.status == ImportRun.Status.APPLIED, run.errors
    oliver, amara = Pupil.objects.get(upn="A123456789012"), Pupil.objects.get(upn="B123456789012")
    assert factories_monitoring.alert(school, username="OSMITH16").pupil == oliver
    assert factories_monitoring.alert(school, user_email="o.smith@oak.example", rule="Other rule").pupil == oliver
    assert factories_monitoring.alert(school, username="aokafor19", rule="Third rule").pupil == amara

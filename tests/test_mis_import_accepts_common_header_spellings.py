"""Column names differ between MIS exports; the importer matches them loosely and by synonym."""

import pytest

from safeguarding_portal.schools.importer import import_people, parse_year_group
from safeguarding_portal.schools.models import Guardian, ImportRun, Pupil

pytestmark = pytest.mark.django_db

ROW = "A123456789012,Oliver,Smith,17/05/2016,5,5B,Jane Smith,jane@home.example,Mother"


@pytest.mark.parametrize(
    "header",
    [
        "UPN,Legal Forename,Surname,DOB,Year,Reg Group,Contact Name,Contact Email,Relationship",
        "Unique Pupil Number,Forename,Legal Surname,Date of Birth,Year Group,Registration Group,"
        "Primary Contact,Email,Contact Relationship",
        "upn,first name,last name,date_of_birth,NC Year,Class,Parent Name,E-mail,relationship",
        " U.P.N. ,LEGAL FIRST NAME,Surname,D.O.B.,National Curriculum Year,Form,"
        "Contact name,Contact e-mail,Relationship",
    ],
)
def test_header_spellings_from_different_systems_give_the_same_pupil(school, header):
    run = import_people(school=school, kind="pupils", data=f"{header}\n{ROW}\n".encode())

    assert run.status == ImportRun.Status.APPLIED, run.errors
    pupil = Pupil.objects.get(school=school, upn="A123456789012")
    assert (pupil.legal_forename, pupil.surname, pupil.year_group, pupil.registration_group) == (
        "Oliver",
        "Smith",
        "5",
        "5B",
    )
    link = pupil.guardian_links.get()
    assert (link.guardian.full_name, link.guardian.email, link.relationship) == (
        "Jane Smith",
        "jane@home.example",
        "Mother",
    )


def test_known_as_is_the_preferred_forename(school):
    data = "UPN,Legal Forename,Known As,Surname,DOB,Year\nA123456789012,Oliver,Ollie,Smith,17/05/2016,5\n"
    import_people(school=school, kind="pupils", data=data.encode())
    assert Pupil.objects.get(school=school).preferred_forename == "Ollie"


def test_utf8_with_a_byte_order_mark_from_excel(school):
    data = "\ufeffUPN,Forename,Surname,DOB,Year\nA123456789012,Zoë,O\u2019Brien,17/05/2016,5\n".encode()
    run = import_people(school=school, kind="pupils", data=data)
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert Pupil.objects.get(school=school).legal_forename == "Zoë"


def test_windows_1252_from_excels_ordinary_csv(school):
    data = "UPN,Forename,Surname,DOB,Year\nA123456789012,Zoë,O\u2019Brien,17/05/2016,5\n".encode("cp1252")
    run = import_people(school=school, kind="pupils", data=data)
    assert run.status == ImportRun.Status.APPLIED, run.errors
    pupil = Pupil.objects.get(school=school)
    assert (pupil.legal_forename, pupil.surname) == ("Zoë", "O\u2019Brien")


def test_semicolon_separated_files_and_a_title_line_above_the_table(school):
    data = (
        b"Pupil contacts report;;;;\n"
        b"UPN;Forename;Surname;DOB;Year\n"
        b"A123456789012;Oliver;Smith;17/05/2016;5\n"
        b"A12345678901X;Mia;Smith;32/01/2018;2\n"
    )
    run = import_people(school=school, kind="pupils", data=data)
    # The bad date is reported on row 4: the title line counts, as it does in a spreadsheet.
    assert [(e["row"], e["column"]) for e in run.errors] == [(4, "DOB")]


def test_columns_the_portal_does_not_hold_are_ignored_and_listed(school):
    data = "UPN,Forename,Surname,DOB,Year,Ethnicity,SEN Status\nA123456789012,Oliver,Smith,17/05/2016,5,X,N\n"
    run = import_people(school=school, kind="pupils", data=data.encode())
    assert run.status == ImportRun.Status.APPLIED
    assert run.details["ignored_columns"] == ["Ethnicity", "SEN Status"]


def test_contact_forename_and_surname_columns_make_the_contact_name(school):
    data = (
        "UPN,Forename,Surname,DOB,Year,Contact 1 Forename,Contact 1 Surname,Contact 1 Email\n"
        "A123456789012,Oliver,Smith,17/05/2016,5,Jane,Smith,jane@home.example\n"
    )
    import_people(school=school, kind="pupils", data=data.encode())
    assert Guardian.objects.get(school=school).full_name == "Jane Smith"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("R", "R"),
        ("Reception", "R"),
        ("Year R", "R"),
        ("YR", "R"),
        ("rec", "R"),
        ("5", "5"),
        ("05", "5"),
        ("Year 5", "5"),
        ("Y5", "5"),
        ("year5", "5"),
        ("13", "13"),
        ("Year 11", "11"),
    ],
)
def test_year_group_spellings(value, expected):
    assert parse_year_group(value) == expected


@pytest.mark.parametrize("value", ["N", "Nursery", "N1", "N2"])
def test_nursery_is_refused_with_a_reason(value):
    with pytest.raises(ValueError, match="Nursery is not a year group"):
        parse_year_group(value)


@pytest.mark.parametrize("value", ["0", "14", "Year 15", "Lower Sixth", "5B"])
def test_unknown_year_groups_are_refused(value):
    with pytest.raises(ValueError, match="not a year group"):
        parse_year_group(value)

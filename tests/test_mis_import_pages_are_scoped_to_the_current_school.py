"""The import pages belong to the current school: other schools' runs are not found, and only importers get in."""

import csv
import io

import pytest
from django.urls import reverse

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.models import ImportRun

pytestmark = pytest.mark.django_db

FILE = b"UPN,Forename,Surname,DOB,Year\nA123456789012,Oliver,Smith,17/05/2016,5\n"


def test_another_schools_import_is_not_found(client, dsl, outsider, signed_in, school, other_school):
    theirs = import_people(school=other_school, kind="pupils", data=FILE, by=outsider)
    ours = import_people(school=school, kind="pupils", data=FILE, by=dsl)
    signed_in(dsl)

    assert client.get(reverse("schools:import_result", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("schools:import_result", args=[ours.pk]))
    assert response.status_code == 200 and b"Pupils added" in response.content


def test_the_upload_page_lists_only_this_schools_recent_imports(client, dsl, outsider, signed_in, school, other_school):
    import_people(school=other_school, kind="pupils", data=FILE, filename="hillside-roll.csv", by=outsider)
    import_people(school=school, kind="pupils", data=FILE, filename="oakfield-roll.csv", by=dsl)
    signed_in(dsl)

    response = client.get(reverse("schools:import"))

    assert response.status_code == 200
    assert b"oakfield-roll.csv" in response.content and b"hillside-roll.csv" not in response.content


@pytest.mark.parametrize("persona", ["staff", "technician", "governor", "parent", "osl", "trust_lead"])
def test_people_who_cannot_import_are_refused(client, personas, signed_in, persona):
    signed_in(personas[persona])
    for name in ("schools:import", "schools:import_template"):
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("persona", ["dsl", "deputy", "head"])
def test_the_safeguarding_team_and_the_head_may_import(client, personas, signed_in, persona):
    signed_in(personas[persona])
    assert client.get(reverse("schools:import")).status_code == 200


@pytest.mark.parametrize(("kind", "first_header"), [("pupils", "UPN"), ("staff", "Name")])
def test_the_template_is_a_csv_with_the_canonical_headers_that_imports_cleanly(
    client, dsl, signed_in, school, kind, first_header
):
    signed_in(dsl)

    response = client.get(reverse("schools:import_template"), {"kind": kind})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"mis-import-{kind}-template.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == first_header and len(rows) == 3
    # The example rows are themselves a valid file, so a school can copy their shape.
    run = import_people(school=school, kind=kind, data=response.content)
    assert run.status == ImportRun.Status.APPLIED, run.errors


def test_the_pupil_template_has_a_start_and_end_column_for_every_flag_the_import_reads(client, dsl, signed_in, school):
    from safeguarding_portal.schools.importer import FLAG_NAMES
    from safeguarding_portal.schools.models import PupilFlag

    signed_in(dsl)

    response = client.get(reverse("schools:import_template"), {"kind": "pupils"})

    headers = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    for names in FLAG_NAMES.values():
        assert f"{names[0]} Start" in headers and f"{names[0]} End" in headers, names[0]
    run = import_people(school=school, kind="pupils", data=response.content)
    assert run.status == ImportRun.Status.APPLIED, run.errors
    # The example pupil's flags in the template are read as flags, not ignored as unknown columns.
    assert set(PupilFlag.objects.values_list("kind", "source")) == {
        ("fsm", PupilFlag.Source.MIS),
        ("pupil_premium", PupilFlag.Source.MIS),
    }

"""Search finds a pupil as people type names: full name in either order, part of a name, with or without
accents and apostrophes, by a preferred or former name, by UPN, and a case by reference; whole-name
matches come first, and what matched is highlighted."""

import re

import pytest
from django.urls import reverse

from safeguarding_portal.schools.models import Pupil
from safeguarding_portal.schools.selectors import pupils as pupil_list

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(school, staff):
    made = {}
    for key, names in {
        "ivy": {"legal_forename": "Ivy", "surname": "Taylor"},
        "ivy_other": {"legal_forename": "Ivy", "surname": "Brown"},
        "ivybridge": {"legal_forename": "Ivybridge", "surname": "Taylorson"},
        "zoe": {"legal_forename": "Zoë", "surname": "O\u2019Brien"},
        "bella": {
            "legal_forename": "Isabella",
            "preferred_forename": "Bella",
            "surname": "Pemberton-Fitch",
            "former_surname": "Okafor",
        },
    }.items():
        pupil = PupilFactory(school=school, **names)
        made[key] = (pupil, make_case(school=school, reporter=staff, pupils=[pupil]))
    return made


def _found(client, q):
    html = client.get(reverse("incidents:dashboard"), {"q": q}).content.decode()
    return re.findall(r'data-label="Case"><a href="[^"]+">([A-Z]+-\d{4}-\d{4})</a>', html), html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ivy Taylor", ["ivy", "ivybridge"]),  # whole names first, then names that start so
        ("Taylor Ivy", ["ivy", "ivybridge"]),
        ("ivy tay", ["ivy", "ivybridge"]),
        ("Ivy", ["ivy", "ivy_other", "ivybridge"]),
        ("Zoe OBrien", ["zoe"]),
        ("zoë o'brien", ["zoe"]),
        ("O\u2019Brien", ["zoe"]),
        ("Bella Pemberton", ["bella"]),
        ("isabella fitch", ["bella"]),
        ("pembertonfitch", ["bella"]),
        ("Okafor", ["bella"]),
        ("Nobody Here", []),
    ],
)
@pytest.mark.parametrize("listed", [500, 1], ids=["few matches listed", "many matches asked of the database"])
def test_names_are_found_however_they_are_typed(client, signed_in, dsl, cases, query, expected, listed, monkeypatch):
    # A common name matching more cases than are worth listing takes the other path; both rank alike.
    monkeypatch.setattr("incidents.selectors.MAX_LISTED_MATCHES", listed)
    signed_in(dsl)
    found, _ = _found(client, query)
    wanted = [cases[k][1].reference for k in expected]
    assert sorted(found) == sorted(wanted), query
    if "ivybridge" in expected:  # the pupil whose whole name was typed ranks above a name that only starts so
        assert found.index(cases["ivy"][1].reference) < found.index(cases["ivybridge"][1].reference)


def test_a_upn_and_a_reference_find_their_case(client, signed_in, dsl, cases):
    signed_in(dsl)
    pupil, case = cases["zoe"]
    assert _found(client, pupil.upn)[0] == [case.reference]
    assert _found(client, pupil.upn.lower())[0] == [case.reference]
    assert _found(client, case.reference)[0] == [case.reference]
    number = int(case.reference.rsplit("-", 1)[1])
    assert _found(client, str(number))[0] == [case.reference]
    assert _found(client, f"{case.year}-{number}")[0] == [case.reference]


def test_what_matched_is_highlighted_in_the_name_as_written(client, signed_in, dsl, cases):
    signed_in(dsl)
    _, html = _found(client, "zoe obr")
    assert "<mark>Zoë</mark> <mark>O\u2019Br</mark>ien" in html


def test_the_pupil_list_uses_the_same_search(school, cases):
    assert [p.surname for p in pupil_list(school=school, query="taylor ivy")] == ["Taylor", "Taylorson"]
    assert [p.surname for p in pupil_list(school=school, query="zoe o'brien")] == ["O\u2019Brien"]


def test_names_are_kept_searchable_when_pupils_are_written_in_bulk(school):
    Pupil.objects.bulk_create([PupilFactory.build(school=school, legal_forename="Émile", surname="D'Arcy")])
    pupil = Pupil.objects.get(surname="D'Arcy")
    assert " emile" in pupil.search_text and " darcy" in pupil.search_text
    pupil.surname = "Dupont"
    Pupil.objects.bulk_update([pupil], ["surname"])
    pupil.refresh_from_db()
    assert " dupont" in pupil.search_text and "darcy" not in pupil.search_text

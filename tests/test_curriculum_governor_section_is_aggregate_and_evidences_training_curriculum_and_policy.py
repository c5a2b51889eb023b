"""The governors' report section: figures by requirement and year group, no child and no staff name."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from curriculum.report import governor_section
from safeguarding_portal.reports.standards import STANDARD_KEYS

from . import factories_curriculum as f
from .factories import PupilFactory

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 9, 1), datetime.date(2026, 11, 22)


def _section(school):
    return governor_section(school=school, start=START, end=END)


def test_the_section_follows_the_contract_and_names_nobody(school, staff, dsl, governor):
    for person, name in ((staff, "Wilhelmina Teachwell"), (dsl, "Octavius Leadbetter"), (governor, "Perpetua Board")):
        person.full_name = name
        person.save()
    PupilFactory(school=school, year_group="5", legal_forename="Zebedee", surname="Quillfeather")
    f.record(school, staff, "induction", completed_on=datetime.date(2020, 9, 1))
    f.record(school, staff, "annual_update", completed_on=datetime.date(2026, 9, 2))
    f.lesson(school, staff, year_group="5", strands=("privacy",), taught_on=datetime.date(2026, 10, 1))
    f.gap(school, year_group="5", strand="bullying")
    f.policy(school)

    section = _section(school)

    assert {"title", "anchor", "template", "summary", "evidence", "actions"} <= set(section)
    assert {e["standard"] for e in section["evidence"]} == {
        "kcsie.staff_training",
        "kcsie.dsl_training",
        "kcsie.governor_training",
        "kcsie.curriculum",
        "kcsie.policy",
    }
    assert {e["standard"] for e in section["evidence"]} <= STANDARD_KEYS
    assert all(s["rag"] in ("red", "amber", "green") for s in section["summary"])
    curriculum = next(e for e in section["evidence"] if e["standard"] == "kcsie.curriculum")
    assert not curriculum["ok"] and "1 open gap" in curriculum["what"]
    assert next(e for e in section["evidence"] if e["standard"] == "kcsie.dsl_training")["ok"] is False
    assert any("open curriculum gap" in a for a in section["actions"])
    # A gap's incident count of 3 is shown as is; 1 or 2 would read "fewer than 3".
    assert section["gap_rows"][0]["incidents"] == 3

    html = render_to_string(section["template"], {"section": section})
    assert "Online bullying" in html and "Year 5" in html
    for name in ("Zebedee", "Quillfeather", staff.full_name, dsl.full_name, governor.full_name):
        assert name not in html and escape(name) not in html  # escaped too: a generated "O'Neill" is &#x27;


def test_small_incident_counts_are_hidden(school):
    gap = f.gap(school)
    gap.incident_count = 2
    gap.save()
    assert _section(school)["gap_rows"][0]["incidents"] == "fewer than 3"


def test_the_query_count_does_not_grow_with_the_data(school, staff):
    f.policy(school)
    PupilFactory(school=school, year_group="1")
    _section(school)  # the first call gives the school its default requirements
    with CaptureQueriesContext(connection) as small:
        _section(school)
    for n in range(10):
        person = f.member(school)
        f.record(school, person, "annual_update")
        f.lesson(school, person, year_group=str(1 + n % 6), strands=("privacy", "health"))
        f.policy(school, title=f"Policy {n}")
        PupilFactory(school=school, year_group=str(1 + n % 6))
    f.gap(school, year_group="2")
    f.gap(school, year_group="3")
    with CaptureQueriesContext(connection) as large:
        _section(school)
    assert len(large.captured_queries) == len(small.captured_queries)

"""Trends and the governor report count pupils' concerns per vulnerability flag group, from one selector
(incidents.figures.flag_group_counts): a concern counts in a group when a pupil on it had such a flag on the day
it was reported, once however many of its pupils did; 1 and 2 show as "fewer than 3", and no child is named."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from incidents import report
from incidents.figures import flag_group_counts
from safeguarding_portal.schools.models import PupilFlag, VulnerabilityFlag

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 11, 10, 10)
NAMES = ("Zebedee", "Ottoline", "Marchbanks", "Quillfeather")


def _pupil(school, name, *flags):
    pupil = PupilFactory(school=school, legal_forename=name, surname="Testchild")
    for kind, starts_on, ends_on in flags:
        PupilFlag.objects.create(
            pupil=pupil, kind=kind, starts_on=starts_on, ends_on=ends_on, source=PupilFlag.Source.MIS
        )
    return pupil


@pytest.fixture
def cases(school, staff, time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 20, 10), tick=False)
    looked_after = _pupil(
        school,
        NAMES[0],
        (VulnerabilityFlag.LOOKED_AFTER, datetime.date(2026, 9, 1), None),
        (VulnerabilityFlag.EHCP, datetime.date(2024, 9, 1), None),
    )
    sen = _pupil(school, NAMES[1], (VulnerabilityFlag.SEN_SUPPORT, datetime.date(2025, 9, 1), None))
    fsm = _pupil(
        school, NAMES[2], (VulnerabilityFlag.FREE_SCHOOL_MEALS, datetime.date(2025, 1, 1), datetime.date(2026, 10, 1))
    )
    plain = _pupil(school, NAMES[3])
    make_case(school=school, reporter=staff, pupils=[fsm])  # while the pupil had free school meals
    time_machine.move_to(TODAY, tick=False)
    make_case(school=school, reporter=staff, pupils=[fsm])  # after they ended: not counted
    make_case(school=school, reporter=staff, pupils=[looked_after, sen])  # one concern, two SEND pupils
    make_case(school=school, reporter=staff, pupils=[sen])
    make_case(school=school, reporter=staff, pupils=[plain])


def test_one_selector_counts_concerns_per_flag_group_on_the_day_each_was_reported(school, cases):
    counts = flag_group_counts(
        school_ids=[school.pk], start=datetime.date(2026, 9, 1), end=datetime.date(2026, 11, 10)
    )[school.pk]
    assert counts == {
        "cp_plan": 0,
        "child_in_need": 0,
        "looked_after": 1,
        "send": 2,
        "young_carer": 0,
        "disadvantaged": 1,
        "eal": 0,
    }


def test_the_governor_report_shows_each_group_with_fewer_than_3_and_names_no_child(school, cases):
    section = report.governor_section(school=school, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 11, 10))

    rows = dict(section["flag_rows"])
    assert rows["Looked after or previously looked after"] == "fewer than 3"
    assert rows["SEND (SEN support or an EHCP)"] == "fewer than 3"
    assert rows["Child protection plan"] == 0
    html = render_to_string(section["template"], {"section": section})
    assert "Concerns about pupils with vulnerability flags" in html
    assert not any(name in html for name in NAMES)


def test_three_concerns_in_a_group_show_as_3(school, staff, cases, time_machine):
    time_machine.move_to(TODAY, tick=False)
    make_case(school=school, reporter=staff, pupils=[PupilFlag.objects.get(kind="sen_support").pupil])
    section = report.governor_section(school=school, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 11, 10))
    assert dict(section["flag_rows"])["SEND (SEN support or an EHCP)"] == 3


@pytest.mark.parametrize("persona", ["dsl", "osl", "head"])
def test_trends_show_the_same_small_counts_and_no_child(client, signed_in, request, cases, persona, time_machine):
    time_machine.move_to(TODAY, tick=False)
    signed_in(request.getfixturevalue(persona))

    response = client.get(reverse("incidents:trends"))

    body = response.content.decode()
    assert response.status_code == 200
    table = body[body.index('data-testid="trend-flag-group"') :]
    table = table[: table.index("</table>")]
    assert 'data-key="looked_after">fewer than 3<' in table
    assert 'data-key="send">fewer than 3<' in table
    assert 'data-key="cp_plan">0<' in table
    assert not any(name in table for name in NAMES)

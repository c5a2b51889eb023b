"""The coverage heatmap can show a flag group (the policy's online-safety education tailored to vulnerable
pupils): only the year groups of pupils on roll who have such a flag today, with how many (1 and 2 as "fewer
than 3"), never who."""

import datetime

import pytest
from django.urls import reverse

from curriculum import selectors
from safeguarding_portal.schools.models import PupilFlag, VulnerabilityFlag

from . import factories_curriculum as f
from .factories import PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime.datetime(2026, 11, 10, 10), tick=False)]


def _flagged(school, year_group, kind, starts_on=datetime.date(2026, 9, 1), ends_on=None, **kwargs):
    pupil = PupilFactory(school=school, year_group=year_group, **kwargs)
    PupilFlag.objects.create(pupil=pupil, kind=kind, starts_on=starts_on, ends_on=ends_on, source=PupilFlag.Source.MIS)
    return pupil


@pytest.fixture
def school_with_flags(school, staff):
    for yg in ("3", "4", "5", "6"):
        PupilFactory(school=school, year_group=yg)
    _flagged(school, "3", VulnerabilityFlag.LOOKED_AFTER, legal_forename="Zebedee")
    _flagged(school, "5", VulnerabilityFlag.PREVIOUSLY_LOOKED_AFTER)
    for _ in range(3):
        _flagged(school, "5", VulnerabilityFlag.LOOKED_AFTER)
    _flagged(school, "6", VulnerabilityFlag.LOOKED_AFTER, ends_on=datetime.date(2026, 10, 1))  # ended
    _flagged(school, "4", VulnerabilityFlag.EAL)
    f.lesson(school, staff, year_group="3", strands=("privacy",), taught_on=datetime.date(2026, 9, 10))
    f.lesson(school, staff, year_group="4", strands=("privacy",), taught_on=datetime.date(2026, 9, 10))
    return school


def test_the_rows_are_the_year_groups_of_pupils_flagged_in_the_group_today(school_with_flags):
    heat = selectors.heatmap(school=school_with_flags, academic_year=2026, flag_group="looked_after")

    assert heat.year_groups == ["3", "5"]
    assert heat.flagged_pupils == {"3": 1, "5": 4}
    assert heat.cells[("3", "privacy")].lessons == 1
    assert ("4", "privacy") not in heat.cells
    assert heat.untaught == 16 - 1


def test_without_a_flag_group_every_year_group_shows(school_with_flags):
    assert selectors.heatmap(school=school_with_flags, academic_year=2026).year_groups == ["3", "4", "5", "6"]


def test_the_page_shows_counts_of_pupils_with_fewer_than_3_and_no_names(client, signed_in, osl, school_with_flags):
    signed_in(osl)

    body = client.get(reverse("curriculum:heatmap") + "?flag=looked_after").content.decode()

    assert 'data-testid="heatmap-flag-note"' in body
    assert body.count('data-testid="flagged-pupils"') == 2
    assert "fewer than 3 pupils" in body and "4 pupils" in body
    assert 'data-year="4"' not in body and 'data-year="6"' not in body
    assert "Zebedee" not in body

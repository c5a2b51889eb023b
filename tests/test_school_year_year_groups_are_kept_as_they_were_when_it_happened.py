"""Year groups move up on 1 September, and a record says what was true when it happened: trends, the
curriculum gap and its evidence count last year's Year 5 as Year 5 after those pupils become Year 6."""

import datetime

import pytest

from curriculum import selectors, services
from curriculum.models import Gap
from incidents.models import IncidentPupil
from incidents.trends import trends
from safeguarding_portal.schools.models import Pupil, year_group_shifted

from . import clock
from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db

JULY = datetime.date(2027, 7, 8)  # the summer term of 2026/27
SEPTEMBER = datetime.date(2027, 9, 15)  # 2027/28: Year 5 is now Year 6


def _year_groups(school, day):
    return {bar.key: bar.n for bar in trends(school=school, with_names=False, today=day).by_year_group}


def test_shifting_a_year_group_stays_inside_reception_to_year_13():
    assert year_group_shifted("5", 1) == "6" and year_group_shifted("R", 1) == "1"
    assert year_group_shifted("1", -1) == "R" and year_group_shifted("R", -1) == ""
    assert year_group_shifted("13", 1) == "" and year_group_shifted("", 0) == ""


@clock.frozen(JULY)
def test_after_the_move_up_last_years_figures_and_gap_still_say_year_5(school, staff, time_machine):
    pupils = PupilFactory.create_batch(3, school=school, year_group="5")
    for pupil in pupils:
        make_case(school=school, reporter=staff, pupils=[pupil])
    services.gaps_check(school=school, on=JULY)
    gap = Gap.objects.get()
    assert (gap.year_group, gap.incident_count) == ("5", 3)
    assert set(IncidentPupil.objects.values_list("year_group", flat=True)) == {"5"}
    assert _year_groups(school, JULY) == {"5": 3}

    time_machine.move_to(clock.at(SEPTEMBER), tick=False)
    # The MIS import in September moves two of them up; the third left over the summer.
    Pupil.objects.filter(pk__in=[p.pk for p in pupils[:2]]).update(year_group="6")
    for pupil in pupils[:2]:
        pupil.refresh_from_db()
        pupil.save()  # as the import does: the year group is confirmed as of today
    Pupil.objects.filter(pk=pupils[2].pk).update(left_on=datetime.date(2027, 7, 23))
    make_case(school=school, reporter=staff, pupils=[pupils[0]])

    # Last year's figures are as they were; this year's count the pupil in Year 6.
    assert _year_groups(school, JULY) == {"5": 3}
    assert _year_groups(school, SEPTEMBER) == {"6": 1}
    evidence = selectors.gap_evidence(gap=gap)
    assert sum(sum(counts) for _, counts in evidence.table) == 3
    assert selectors.incident_counts(
        school=school, starts=datetime.date(2026, 8, 1), ends=datetime.date(2027, 7, 31)
    ) == {("cyberbullying", "5"): 3}


@clock.frozen(SEPTEMBER)
def test_before_the_mis_import_a_new_record_already_uses_this_years_year_group(school, staff, time_machine):
    # Imported in July as Year 5, not re-imported since: on 15 September the pupil is in Year 6.
    time_machine.move_to(clock.at(JULY), tick=False)
    pupil = PupilFactory(school=school, year_group="5")
    time_machine.move_to(clock.at(SEPTEMBER), tick=False)
    make_case(school=school, reporter=staff, pupils=[pupil])
    assert IncidentPupil.objects.get().year_group == "6"
    assert pupil.year_group_on(JULY) == "5" and pupil.year_group_on(SEPTEMBER) == "6"

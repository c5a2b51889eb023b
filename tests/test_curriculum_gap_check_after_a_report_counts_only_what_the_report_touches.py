"""The gap check a report enqueues looks only at the strands that report can change.

After every report the curriculum app checks for gaps (through the outbox, on commit). That check is told
the incident, so it reads the incident's category and year groups, skips strands that already have a gap,
and counts the term's incidents only for the pairs still without one, by a range on when they happened (an
index range, never a per-row date conversion). The daily sweep still counts everything.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum import services
from curriculum.models import Gap
from safeguarding_portal.outbox.models import OutboxMessage

from . import clock
from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23")]


@pytest.fixture
def year5(school):
    return [
        PupilFactory(school=school, year_group="5", legal_forename=name, surname="Quillfeather")
        for name in ("Zebedee", "Ottilie", "Barnaby", "Hester")
    ]


def _count_queries(sql: list[str]) -> list[str]:
    return [q for q in sql if "COUNT(DISTINCT" in q.upper()]


def test_the_report_enqueues_a_check_that_names_the_incident(school, staff, year5):
    incident = make_case(school=school, reporter=staff, pupils=[year5[0]])
    sent = OutboxMessage.objects.filter(task_name="curriculum.check_gaps").values_list("kwargs", flat=True)
    assert list(sent) == [{"school_id": school.pk, "on": "2026-11-23", "incident_id": incident.pk}]


def test_a_check_for_one_incident_counts_only_its_category_and_year_groups(school, staff, year5):
    for pupil in year5[:3]:
        make_case(school=school, reporter=staff, category="phishing_scams", pupils=[pupil])
    third_cyber = [make_case(school=school, reporter=staff, category="cyberbullying", pupils=[p]) for p in year5[:3]]

    # The phishing pairs reach the threshold too, but this check is about a cyberbullying report: it raises
    # cyberbullying's strand only (the daily sweep, below, raises the rest).
    with CaptureQueriesContext(connection) as captured:
        raised = services.gaps_check(school=school, incident_id=third_cyber[-1].pk)
    assert [(g.year_group, g.strand, g.category, g.incident_count) for g in raised] == [
        ("5", "bullying", "cyberbullying", 3)
    ]
    counts = _count_queries([q["sql"] for q in captured.captured_queries])
    assert len(counts) == 1 and "cyberbullying" in counts[0] and "phishing_scams" not in counts[0]
    # The term is a range on the timestamp, which the (school, category, occurred_at) index serves.
    assert 'occurred_at" >=' in counts[0] and "::date" not in counts[0].lower() and "django_datetime" not in counts[0]

    swept = services.gaps_check(school=school)
    assert {g.category for g in swept} == {"phishing_scams"}


def test_once_the_strand_has_its_gap_a_further_report_is_not_counted_at_all(school, staff, year5):
    cases = [make_case(school=school, reporter=staff, pupils=[p]) for p in year5[:3]]
    assert len(services.gaps_check(school=school, incident_id=cases[-1].pk)) == 1
    fourth = make_case(school=school, reporter=staff, pupils=[year5[3]])

    with CaptureQueriesContext(connection) as captured:
        assert services.gaps_check(school=school, incident_id=fourth.pk) == []
    assert _count_queries([q["sql"] for q in captured.captured_queries]) == []
    assert Gap.objects.count() == 1


def test_an_allegation_about_staff_is_never_counted(school, staff, technician, year5):
    services.category_map_save(school=school, mapping={"staff_conduct": ["reputation"]}, threshold=1)
    allegation = make_case(
        school=school, reporter=staff, category="staff_conduct", pupils=[year5[0]], subject_staff=technician
    )
    with CaptureQueriesContext(connection) as captured:
        assert services.gaps_check(school=school, incident_id=allegation.pk) == []
    assert _count_queries([q["sql"] for q in captured.captured_queries]) == []

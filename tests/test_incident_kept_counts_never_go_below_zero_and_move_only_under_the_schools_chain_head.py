"""The kept case counts (incidents.counts) never go below zero, and every change moves them while it holds the
school's chain head, so a report and a DSL's action can never deadlock on them.

A report used to count its new case before its timeline append, while an acknowledgement counts after its
own: the report held the "reported" state's row waiting for the chain head, the acknowledgement held the chain
head waiting for that row. Now the counts' statement always comes after the chain head's.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from incidents import counts, services
from incidents.models import CaseCount, Status

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _order(captured) -> list[str]:
    """The statements that take the chain head or a count row, in order."""
    found = []
    for q in captured.captured_queries:
        sql = q["sql"]
        if "audit_chainhead" in sql and sql.lstrip().upper().startswith("UPDATE") and "seq = seq +" in sql:
            found.append("chain head")
        elif "incidents_casecount" in sql:
            found.append("counts")
    return found


def test_a_report_counts_its_case_after_taking_the_schools_chain_head(school, staff, dsl):
    make_case(school=school, reporter=staff)  # the school's chain head exists from now on
    with CaptureQueriesContext(connection) as captured:
        make_case(school=school, reporter=staff, pupils=PupilFactory.create_batch(2, school=school))
    assert _order(captured) == ["chain head", "counts"]


def test_a_pupils_report_counts_its_case_after_taking_the_schools_chain_head(school, staff, dsl):
    from incidents import pupil_reports

    make_case(school=school, reporter=staff)
    with CaptureQueriesContext(connection) as captured:
        pupil_reports.pupil_report(
            school=school,
            about=next(iter(pupil_reports.ABOUT_CATEGORY)),
            when=next(iter(pupil_reports.WHEN_AGO)),
            description="Someone keeps messaging me at night.",
        )
    assert _order(captured) == ["chain head", "counts"]


def test_acknowledging_a_case_moves_its_counts_after_its_timeline_entry(school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    with CaptureQueriesContext(connection) as captured:
        services.case_acknowledge(incident=incident, by=dsl)
    order = _order(captured)
    assert order and order[0] == "chain head" and set(order[1:]) == {"counts"}


def test_a_count_row_cannot_be_made_negative(school, staff):
    make_case(school=school, reporter=staff)
    row = CaseCount.objects.filter(school=school, week=counts.NO_WEEK, status=Status.REPORTED).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseCount.objects.filter(pk=row.pk).update(n=-1)


def test_a_case_leaving_a_state_it_was_never_counted_in_fails_rather_than_count_below_zero(school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    CaseCount.objects.filter(school=school, week=counts.NO_WEEK, status=Status.REPORTED).update(n=0)  # drift
    with pytest.raises(IntegrityError), transaction.atomic():
        services.case_acknowledge(incident=incident, by=dsl)
    assert not CaseCount.objects.filter(n__lt=0).exists()


def test_a_change_of_state_moves_one_count_to_another_in_one_statement(school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    make_case(school=school, reporter=staff)
    with CaptureQueriesContext(connection) as captured:
        services.case_acknowledge(incident=incident, by=dsl)
    assert _order(captured).count("counts") == 1
    assert counts.drift([school.pk]) == {}
    reported = CaseCount.objects.get(school=school, week=counts.NO_WEEK, status=Status.REPORTED)
    assert reported.n == 1

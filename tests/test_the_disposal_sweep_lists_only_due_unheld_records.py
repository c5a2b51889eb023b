"""The monthly sweep lists, per school, the closed cases whose youngest pupil has passed the school's period after
their date of birth (25 years by default, or the school's own): not a younger pupil's case, not an open case, not
one already listed or disposed of, nothing held; it works once a month, is a registered reminder sweep, and the
DSL and the head are reminded of the list."""

from __future__ import annotations

import datetime

import pytest

from incidents.models import Status
from incidents.services import case_transition
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.registry import SWEEPS
from safeguarding_portal.retention.models import DisposalBatch, DisposalItem
from safeguarding_portal.retention.services import period_set

from . import clock
from .incident_helpers import make_case
from .retention_helpers import YOUNG, closed_case, pupil

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]
TODAY = datetime.date(2026, 12, 1)


def test_only_due_closed_unheld_cases_are_listed_by_school(school, other_school, staff, dsl, head):
    due = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    # A case with one old and one young pupil waits for the younger.
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school), pupil(school, YOUNG)])
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school, YOUNG)])
    make_case(school=school, reporter=staff, pupils=[pupil(school)])  # still open
    # 25th birthday on the day: due; the day after: not yet.
    on_the_day = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school, datetime.date(2001, 12, 1))])
    next_day = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school, datetime.date(2001, 12, 2))])
    # The other school keeps CP records 40 years: its 1990 pupil's case is not due.
    period_set(school=other_school, user=head, kind="incidents.cp_records", years=40)
    closed_case(school=other_school, reporter=staff, dsl=dsl, pupils=[pupil(other_school)])

    listed = SWEEPS["retention.disposal_due"].fn(today=TODAY)
    assert listed == 2
    batch = DisposalBatch.objects.get()
    assert batch.school == school and batch.month == TODAY
    items = {i.record_id: i for i in batch.items.all()}
    assert set(items) == {due.pk, on_the_day.pk}
    assert items[on_the_day.pk].due_on == TODAY
    assert items[due.pk].rule == "Child protection records: date of birth + 25 years"
    # The DSL and the head are reminded, with a link and no name.
    reminded = set(Reminder.objects.filter(kind="retention.disposal_due").values_list("recipient_email", flat=True))
    assert reminded == {dsl.email, head.email}

    # Once a month: the next day lists nothing (the case due that day waits for next month's list); next month
    # lists it, and not again what is still under review.
    assert SWEEPS["retention.disposal_due"].fn(today=TODAY + datetime.timedelta(days=1)) == 0
    assert SWEEPS["retention.disposal_due"].fn(today=datetime.date(2027, 1, 1)) == 1
    assert list(
        DisposalItem.objects.filter(batch__month=datetime.date(2027, 1, 1)).values_list("record_id", flat=True)
    ) == [next_day.pk]


def test_a_reopened_case_is_not_listed(school, staff, dsl):
    case = closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    case_transition(incident=case, to=Status.REOPENED, by=dsl)
    from .retention_helpers import swept

    assert swept() == 0

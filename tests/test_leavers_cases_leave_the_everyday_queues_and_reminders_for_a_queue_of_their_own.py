"""Cases whose pupils have all left are out of the DSL dashboard's everyday queues (not yet acknowledged, overdue,
all open...), out of the home and trust figures that count those queues, and out of the overdue-task reminders;
they have a queue of their own. A case with one pupil still on roll, and an urgent case, stay where they were."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import selectors
from incidents import services as incident_services
from incidents.figures import case_queues
from safeguarding_portal.reminders import services as reminders

from .factories import PupilFactory
from .incident_helpers import make_case
from .leaver_helpers import mark_left

pytestmark = pytest.mark.django_db


def _listed(client, queue):
    return client.get(reverse("incidents:dashboard"), {"queue": queue}).content.decode()


def test_a_leavers_case_moves_from_the_everyday_queues_to_its_own(client, signed_in, dsl, deputy, staff, school):
    gone, staying = PupilFactory(school=school), PupilFactory(school=school)
    leavers_case = make_case(school=school, reporter=staff, pupils=[gone])
    mixed_case = make_case(school=school, reporter=staff, pupils=[gone, staying])
    today = timezone.localdate()
    for case in (leavers_case, mixed_case):
        incident_services.case_task_add(
            incident=case, by=dsl, title="Follow up", owner=deputy, due_on=today - datetime.timedelta(days=1)
        )
    signed_in(dsl)
    before = _listed(client, "unacknowledged")
    assert leavers_case.reference in before and mixed_case.reference in before
    counts_before = case_queues(school_ids=[school.pk], today=today)[school.pk]

    mark_left(gone)
    for queue in ("unacknowledged", "overdue", "open"):
        html = _listed(client, queue)
        assert leavers_case.reference not in html and mixed_case.reference in html
    assert leavers_case.reference in _listed(client, "leavers")
    assert mixed_case.reference not in _listed(client, "leavers")
    # The badges (cached per version) follow at once, and so do the home and trust figures.
    badges = client.get(reverse("incidents:dashboard")).context["counts"]
    assert badges["leavers"] == 1 and badges["unacknowledged"] == 1 and badges["open"] == 1
    after = case_queues(school_ids=[school.pk], today=today)[school.pk]
    assert after.unacknowledged == counts_before.unacknowledged - 1
    assert after.overdue_actions == counts_before.overdue_actions - 1

    assert reminders.run_sweep("incidents.tasks_overdue", on=today) == 1  # the mixed case's task only


def test_an_urgent_case_stays_in_the_urgent_queue_after_the_pupil_leaves(client, signed_in, dsl, staff, school):
    gone = PupilFactory(school=school)
    urgent = make_case(school=school, reporter=staff, pupils=[gone], immediate_risk=True)
    mark_left(gone)
    signed_in(dsl)
    assert urgent.reference in _listed(client, "urgent")


def test_the_dashboard_version_moves_when_a_pupil_leaves(school, staff):
    gone = PupilFactory(school=school)
    make_case(school=school, reporter=staff, pupils=[gone])
    before = selectors.school_version(school.pk)
    mark_left(gone)
    assert selectors.school_version(school.pk) != before

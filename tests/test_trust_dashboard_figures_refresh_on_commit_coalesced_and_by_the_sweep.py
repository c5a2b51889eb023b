"""The trust dashboard reads pre-computed figures (reports.SchoolFigures). A committed change to a school's
records queues one refresh of that school through the outbox however many changes come before it runs; the
nightly sweep recounts every school; the page says when the figures were counted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.outbox.models import OutboxMessage
from safeguarding_portal.reports import school_figures
from safeguarding_portal.reports.models import SchoolFigures

from . import clock
from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
TASK = "reports.refresh_school_figures"


@pytest.fixture
def on_commit_refresh(settings):
    settings.SCHOOL_FIGURES_REFRESH_ON_COMMIT = True


def _concerns(school) -> int:
    return SchoolFigures.objects.get(school=school, period_key="term").figures["concerns"]["v"]


def test_changes_committed_together_queue_one_refresh_and_the_figures_follow(
    on_commit_refresh, django_capture_on_commit_callbacks, school, other_school, staff
):
    pupil = PupilFactory(school=school)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, pupils=[pupil])
        make_case(school=school, reporter=staff, pupils=[pupil])

    assert OutboxMessage.objects.filter(task_name=TASK).count() == 1  # coalesced
    assert OutboxMessage.objects.get(task_name=TASK).kwargs == {"school_id": school.pk}
    assert _concerns(school) == 2
    assert not SchoolFigures.objects.filter(school=other_school).exists()  # only the school that changed

    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff, pupils=[pupil])

    # The first refresh had run, so this change queues a new one (and a change the case's own tasks commit after
    # that refresh started may queue another: never fewer than the changes need).
    assert OutboxMessage.objects.filter(task_name=TASK).count() >= 2
    assert _concerns(school) == 3
    assert SchoolFigures.objects.get(school=school).stale_since is None


def test_a_change_while_a_refresh_is_queued_marks_the_row_stale_and_queues_nothing_more(
    on_commit_refresh, django_capture_on_commit_callbacks, school, staff
):
    school_figures.refresh(school_ids=[school.pk])
    from django.core.cache import cache

    cache.add(school_figures.PENDING_KEY.format(school.pk), 1)  # a refresh already queued, not yet run
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff)

    assert not OutboxMessage.objects.filter(task_name=TASK).exists()
    assert _concerns(school) == 0  # not yet recounted: the queued refresh will


def test_without_the_setting_nothing_is_queued(django_capture_on_commit_callbacks, school, staff):
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff)
    assert not OutboxMessage.objects.filter(task_name=TASK).exists()


def test_the_sweep_counts_every_school_and_the_dashboard_says_when(
    client, signed_in, trust_lead, school, other_school, staff
):
    make_case(school=school, reporter=staff)

    assert school_figures.sweep() >= 2

    assert _concerns(school) == 1 and _concerns(other_school) == 0
    signed_in(trust_lead)
    body = client.get(reverse("schools:trust_overview")).content.decode()
    assert "Figures counted between 23 Nov 2026, 10:00 and 23 Nov 2026, 10:00" in body


def test_the_sweep_task_is_scheduled_nightly_by_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="reports.sweep_school_figures")
    assert task.enabled and task.crontab.hour == "2"

"""A worker killed mid-build leaves a governor report "building" for ever: a build with no sign of life for
REPORT_BUILD_STALE_MINUTES is reclaimed and built again, once, by the redelivered task, by asking again, or by
beat's sweep when nobody asks (the end-of-term build), and the report's page says what is happening."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from safeguarding_portal.outbox.models import EmailDelivery
from safeguarding_portal.reminders.schedule import sync_schedule
from safeguarding_portal.reminders.services import run_sweep
from safeguarding_portal.reports import builder, services, tasks
from safeguarding_portal.reports.models import GovernorReport
from safeguarding_portal.schools.models import Term

from . import clock

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]
State = GovernorReport.State


@pytest.fixture
def fast_builder(monkeypatch):
    """The PDF itself is tested elsewhere: here, count the builds."""
    calls = []
    monkeypatch.setattr(builder, "context", lambda **kwargs: {})

    def render(ctx):
        calls.append(ctx)
        return b"%PDF-1.7 fake", 1

    monkeypatch.setattr(builder, "render_pdf", render)
    return calls


def _interrupted(
    school,
    governor,
    *,
    quiet_minutes: int,
    django_capture_on_commit_callbacks,
    origin: str = GovernorReport.Origin.REQUESTED,
    from_day: int = 0,
) -> GovernorReport:
    """A report whose worker died while building it, ``quiet_minutes`` after its last sign of life."""
    term = school.terms.get(academic_year=2026, name=Term.Name.AUTUMN)
    with django_capture_on_commit_callbacks(execute=False):  # the first build's task: the worker that dies
        report = services.report_request(
            school=school,
            start=term.starts_on + datetime.timedelta(days=from_day),
            end=term.ends_on,
            by=governor,
            term=term,
            origin=origin,
        )
    now = timezone.now()
    GovernorReport.objects.filter(pk=report.pk).update(
        state=State.BUILDING,
        progress=40,
        stage="Counting concerns",
        builds=1,
        build_started_at=now - datetime.timedelta(minutes=quiet_minutes + 1),
        heartbeat_at=now - datetime.timedelta(minutes=quiet_minutes),
    )
    report.refresh_from_db()
    return report


def test_the_redelivered_task_rebuilds_a_stale_build_once(
    school, governor, fast_builder, django_capture_on_commit_callbacks
):
    report = _interrupted(
        school, governor, quiet_minutes=15, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert report.is_stale

    tasks.build_governor_report.apply(kwargs={"report_id": report.pk})
    tasks.build_governor_report.apply(kwargs={"report_id": report.pk})  # and a second copy of the message

    report.refresh_from_db()
    assert report.state == State.READY and report.builds == 2 and len(fast_builder) == 1
    assert report.stalled_at is not None


def test_asking_again_for_a_stale_build_rebuilds_it_once_and_the_page_says_so(
    client, signed_in, school, governor, fast_builder, django_capture_on_commit_callbacks
):
    report = _interrupted(
        school, governor, quiet_minutes=15, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    signed_in(governor)
    term = school.terms.get(academic_year=2026, name=Term.Name.AUTUMN)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = client.post(reverse("reports:request"), {"term": term.pk})
        again = client.post(reverse("reports:request"), {"term": term.pk})  # a double click
    assert first["Location"] == again["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.state == State.QUEUED and report.stalled_at is not None
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "The build stopped" in page and "being retried" in page

    for callback in queued:  # the worker picks up the rebuild: once, however many asked
        callback()
    report.refresh_from_db()
    assert report.state == State.READY and report.builds == 2 and len(fast_builder) == 1
    assert GovernorReport.objects.count() == 1


def test_the_status_poll_reclaims_a_stale_build(
    client, signed_in, school, governor, fast_builder, django_capture_on_commit_callbacks
):
    report = _interrupted(
        school, governor, quiet_minutes=15, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    signed_in(governor)
    with django_capture_on_commit_callbacks(execute=True):
        panel = client.get(reverse("reports:status", args=[report.pk]))
    assert panel.status_code == 200
    report.refresh_from_db()
    assert report.state == State.READY and len(fast_builder) == 1


def test_a_build_that_is_alive_is_left_alone_and_shows_how_long_it_has_run(
    client, signed_in, school, governor, fast_builder, settings, django_capture_on_commit_callbacks
):
    report = _interrupted(
        school, governor, quiet_minutes=1, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert not report.is_stale
    tasks.build_governor_report.apply(kwargs={"report_id": report.pk})  # a redelivered copy, while it runs
    signed_in(governor)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode().replace("\xa0", " ")
    report.refresh_from_db()
    assert report.state == State.BUILDING and report.builds == 1 and fast_builder == []
    assert "started 2 minutes ago" in page and "The build stopped" not in page

    # N is configurable: 15 quiet minutes are not stale when N is 30.
    settings.REPORT_BUILD_STALE_MINUTES = 30
    GovernorReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=15))
    report.refresh_from_db()
    assert not report.is_stale
    settings.REPORT_BUILD_STALE_MINUTES = 10
    assert report.is_stale


def test_a_stale_end_of_term_build_that_nobody_watches_is_rebuilt_by_beats_sweep(
    school, governor, fast_builder, django_capture_on_commit_callbacks
):
    # Built by beat at the end of term: no governor asks for it or watches its page, and the worker's message
    # may not come back for an hour (the broker's visibility timeout), so governors would wait for their email.
    report = _interrupted(
        school,
        governor,
        quiet_minutes=15,
        origin=GovernorReport.Origin.END_OF_TERM,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    alive = _interrupted(
        school,
        governor,
        quiet_minutes=1,
        from_day=7,  # another period, still being built
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )

    with django_capture_on_commit_callbacks(execute=True):
        reclaimed = run_sweep("reports.stale_builds")  # what beat runs
    with django_capture_on_commit_callbacks(execute=True):
        again = run_sweep("reports.stale_builds")  # the next round: nothing left

    report.refresh_from_db()
    alive.refresh_from_db()
    assert (reclaimed, again) == (1, 0)
    assert report.state == State.READY and report.builds == 2 and report.stalled_at is not None
    assert len(fast_builder) == 1
    assert alive.state == State.BUILDING and alive.builds == 1  # still beating: left alone
    assert list(EmailDelivery.objects.filter(kind="report").values_list("to", flat=True)) == [[governor.email]]


def test_the_stale_build_sweep_runs_every_few_minutes(db):
    sync_schedule()
    entry = PeriodicTask.objects.get(name="Reminder sweep: reports.stale_builds")
    assert entry.enabled and entry.interval is not None
    assert entry.interval.period == "minutes" and entry.interval.every <= 5

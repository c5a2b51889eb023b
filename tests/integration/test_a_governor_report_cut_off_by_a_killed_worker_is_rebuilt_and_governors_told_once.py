"""A real worker is killed (SIGKILL) while it builds the end-of-term governor report, which nobody watches: the
report stays "building" with no sign of life; beat's stale-build sweep reclaims it, the restarted worker builds
it, and each governor gets the "report ready" email once, over SMTP."""

import time

import pytest
from django.utils import timezone

from safeguarding_portal.reminders.services import run_sweep
from safeguarding_portal.reports import services
from safeguarding_portal.reports.models import GovernorReport
from safeguarding_portal.schools.models import Term

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
State = GovernorReport.State


def test_a_build_cut_off_by_a_killed_worker_is_rebuilt_by_the_sweep_and_governors_are_told_once(
    settings, school, governor, celery_worker, inbox
):
    # The real clock runs here (a worker is another process): the term the school is in or last finished.
    term = Term.objects.filter(school=school, starts_on__lte=timezone.localdate()).latest("starts_on")
    report = services.report_request(
        school=school, start=term.starts_on, end=term.ends_on, term=term, origin=GovernorReport.Origin.END_OF_TERM
    )

    def state() -> str:
        report.refresh_from_db()
        return report.state

    wait_until(
        lambda: state() != State.QUEUED,
        timeout=60,
        interval=0.05,
        what="the worker to start building",
        diagnostics=celery_worker.log_tail,
    )
    assert report.state == State.BUILDING, "the build finished before the worker could be killed"
    celery_worker.kill()
    killed_at = report.progress

    # Nobody asks for it or watches it; the killed worker's message will not come back from Redis for an hour.
    # Seconds after the kill, with production's 10 minutes of grace, it is not yet taken for dead ...
    assert run_sweep("reports.stale_builds") == 0, "a build still inside its grace period was reclaimed"
    assert state() == State.BUILDING
    # ... and once it has been quiet for longer than that (here 3 s), the sweep builds it again.
    settings.REPORT_BUILD_STALE_MINUTES = 0.05
    time.sleep(3.5)
    celery_worker.start()
    assert run_sweep("reports.stale_builds") == 1  # what beat sends every 5 minutes

    wait_until(
        lambda: state() == State.READY,
        timeout=150,
        what="the restarted worker to rebuild the report",
        diagnostics=celery_worker.log_tail,
    )
    assert report.builds == 2 and report.stalled_at is not None and len(report.sha256) == 64
    emails = wait_until(
        lambda: inbox.to(governor.email), timeout=60, what="the governors' email", diagnostics=celery_worker.log_tail
    )
    time.sleep(2)
    assert len(inbox.to(governor.email)) == 1 and "report ready" in emails[0]["Subject"]
    print(f"killed at {killed_at}% of the build; rebuilt once, governors told once")

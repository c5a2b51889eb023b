"""End of term: the day after a term ends, build its governor report for the school and email governors a
link once it is ready (``services.build`` calls ``notify.notify_governors``). Every few minutes: rebuild any
report whose worker died mid-build."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.schools.models import Term

from . import services
from .models import GovernorReport, stale_after

# A beat that was down for a few days still catches up; older terms are left to be asked for by hand.
CATCH_UP_DAYS = 7


@sweep("reports.end_of_term", hour=5, minute=30)
def end_of_term(*, today: datetime.date) -> int:
    """Build each school's governor report for the term that has just ended."""
    built = GovernorReport.objects.filter(term=OuterRef("pk"), origin=GovernorReport.Origin.END_OF_TERM)
    ended = (
        Term.objects.filter(ends_on__lt=today, ends_on__gte=today - datetime.timedelta(days=CATCH_UP_DAYS))
        .annotate(done=Exists(built))
        .filter(done=False)
        .select_related("school")
    )
    count = 0
    for term in ended:
        services.report_request(
            school=term.school,
            start=term.starts_on,
            end=term.ends_on,
            term=term,
            origin=GovernorReport.Origin.END_OF_TERM,
        )
        count += 1
    return count


# Often enough that governors waiting for the end-of-term email wait minutes, not the broker's hour-long
# visibility timeout before a killed worker's message comes back.
STALE_BUILDS_EVERY_MINUTES = 5


@sweep("reports.stale_builds", every_minutes=STALE_BUILDS_EVERY_MINUTES)
def stale_builds(*, today: datetime.date) -> int:
    """Governor reports left "building" by a worker that died are built again, even when nobody is watching."""
    stale = GovernorReport.objects.filter(
        state=GovernorReport.State.BUILDING, heartbeat_at__lt=timezone.now() - stale_after()
    ).only("pk")
    return sum(1 for report in stale if services.reclaim_if_stale(report=report))

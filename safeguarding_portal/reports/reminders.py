"""End of term: the day after a term ends, build its governor report for the school and email governors a
link once it is ready (``services.build`` calls ``notify.notify_governors``)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef

from safeguarding_portal.reminders.registry import sweep
from safeguarding_portal.schools.models import Term

from .models import GovernorReport

# A beat that was down for a few days still catches up; older terms are left to be asked for by hand.
CATCH_UP_DAYS = 7


@sweep("reports.end_of_term", hour=5, minute=30)
def end_of_term(*, today: datetime.date) -> int:
    """Build each school's governor report for the term that has just ended."""
    from . import services

    built = GovernorReport.objects.filter(term=OuterRef("pk"), origin=GovernorReport.Origin.END_OF_TERM)
    ended = (
        Term.objects.filter(ends_on__lt=today, ends_on__gte=today - datetime.timedelta(days=CATCH_UP_DAYS))
        .annotate(done=Exists(built))
        .filter(done=False)
        .select_related("school")
    )
    count = 0
    for term in ended:
        services.report_request(school=term.school, start=term.starts_on, end=term.ends_on, term=term,
                                origin=GovernorReport.Origin.END_OF_TERM)
        count += 1
    return count

"""Access-walk samples for the reports app's URL kwargs (merged into ``tests/access_samples.py``)."""

from __future__ import annotations

import datetime

from .access_samples import Sample, SampleContext


def _report_id(ctx: SampleContext) -> int:
    """A governor report of the school (queued: the walk checks access, not PDFs). Another school's
    governors and DSLs must get 404."""
    from safeguarding_portal.reports.models import GovernorReport

    return GovernorReport.objects.create(
        school=ctx.school,
        starts_on=datetime.date(2026, 9, 2),
        ends_on=datetime.date(2026, 10, 2),
        title="Walk sample report",
    ).pk


KWARG_SAMPLES: dict[str, Sample] = {
    "report_id": Sample(_report_id, school_object=True),
}

URL_SAMPLES: dict[str, dict[str, Sample]] = {}


# The trust dashboard's drill-down names a school of the trust (the persona's school), not a record of it:
# every holder of the trust capability may open it; others lack the capability.
URL_SAMPLES["reports:trust_school"] = {"school_id": Sample(lambda ctx: ctx.school.pk, school_object=False)}

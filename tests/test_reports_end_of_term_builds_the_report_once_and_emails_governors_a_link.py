"""The day after a term ends, the daily sweep builds that term's report for the school and emails each
governor a link (nothing from the report itself); a re-run, a second beat or a retry does it once."""

import datetime

import pytest
from django.core import mail

from safeguarding_portal.reminders import services as reminder_services
from safeguarding_portal.reports.models import GovernorReport
from safeguarding_portal.schools.models import Term

from . import clock
from .reports_helpers import concern


@pytest.mark.django_db(transaction=True)
@clock.frozen("2026-11-23")
def test_the_day_after_term_ends_governors_get_one_link_each(school, other_school, governor, chair, staff, dsl):
    term = school.terms.get(academic_year=2026, name=Term.Name.AUTUMN)
    Term.objects.create(
        school=other_school,
        academic_year=2026,
        name="autumn",
        starts_on=datetime.date(2026, 9, 3),
        ends_on=datetime.date(2026, 12, 20),
    )
    concern(
        school=school,
        reporter=staff,
        day=datetime.date(2026, 10, 5),
        dsl=dsl,
        ack_minutes=20,
        description="Rosalind Pemberton-Fitch was sent threats.",
    )
    day_after = term.ends_on + datetime.timedelta(days=1)

    # The last day of term: nothing yet.
    assert reminder_services.run_sweep("reports.end_of_term", on=term.ends_on) == 0
    assert reminder_services.run_sweep("reports.end_of_term", on=day_after) == 1
    assert reminder_services.run_sweep("reports.end_of_term", on=day_after) == 0  # re-run, second beat
    assert reminder_services.run_sweep("reports.end_of_term", on=day_after + datetime.timedelta(days=1)) == 0

    report = GovernorReport.objects.get()
    assert (report.school, report.term, report.origin) == (school, term, GovernorReport.Origin.END_OF_TERM)
    assert report.state == GovernorReport.State.READY and report.governors_notified_at is not None
    emails = [m for m in mail.outbox if "report ready" in m.subject]
    assert sorted(m.to[0] for m in emails) == sorted([governor.email, chair.email])
    assert all(len(m.to) == 1 for m in emails)  # governors do not see each other's addresses
    body = emails[0].body
    assert f"/reports/{report.pk}/" in body and "Autumn 2026/27" in body
    assert "Rosalind" not in body and "Pemberton" not in body and not emails[0].attachments
    assert staff.email not in [m.to[0] for m in emails] and dsl.email not in [m.to[0] for m in emails]

    # A retried build of the same report emails nobody again.
    from safeguarding_portal.reports.notify import notify_governors

    assert notify_governors(report=report) == 0

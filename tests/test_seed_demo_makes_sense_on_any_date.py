"""seed_demo builds a demo whose current term, history and due dates fit the day it is run, whatever the
day: in a term, in the summer holiday, a year or two from now. (The other seed_demo tests run on the
suite's day, which CI moves to other terms and holidays too.)"""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from incidents.models import Incident
from safeguarding_portal.reports.models import GovernorReport
from safeguarding_portal.schools.calendar import academic_year_of
from safeguarding_portal.schools.models import Pupil, School
from safeguarding_portal.schools.selectors import term_in_view

from . import clock

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2027, 8, 10),  # summer holiday, a new academic year begun
        datetime.date(2028, 12, 28),  # Christmas holiday two years on
    ],
)
def test_the_demo_fits_the_day_it_is_built(day):
    with time_machine.travel(clock.at(day), tick=False):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        printed = out.getvalue()
        oakfield = School.objects.get(reference_prefix="OAK")
        view = term_in_view(school=oakfield, today=day)

        # The school year the demo is in has its terms, and three earlier terms give trends their history.
        assert view.term is not None and view.missing_year is None
        assert oakfield.terms.filter(academic_year=academic_year_of(day)).count() == 3
        assert oakfield.terms.filter(ends_on__lt=view.term.starts_on).count() >= 3
        assert view.note in printed

        # Recent concerns are recent, none in the future; the report is of the term in view, to today at most.
        latest = Incident.objects.filter(school=oakfield).latest("reported_at").reported_at.date()
        assert day - datetime.timedelta(days=2) <= latest <= day
        report = GovernorReport.objects.get(school=oakfield, origin=GovernorReport.Origin.DEMO)
        assert report.starts_on == view.term.starts_on and report.ends_on <= day

        # Children's ages fit their year groups in that year: a Year 5 pupil is 9 or 10 on 1 September.
        first_september = datetime.date(academic_year_of(day), 9, 1)
        for pupil in Pupil.objects.filter(school=oakfield, year_group="5")[:20]:
            age = (first_september - pupil.date_of_birth).days // 365
            assert age in (9, 10), (pupil.date_of_birth, day)

        # The sign-ins are the last thing printed: what a newcomer needs next.
        assert printed.rstrip().splitlines()[-1].startswith("  otpauth://")
        assert printed.index("Other demo records") < printed.index("Password for every account")

"""Out of term every page still answers and says what it is showing; from July the DSL and headteacher are
asked, on their home page and in their digest, for the coming year's term dates; without them the CP-file
deadline says it counted weekdays.

The walk in test_access_policy_walk.py requests every URL as every persona on the suite's day; CI runs it
again on a holiday and on a new school year with no term dates entered (PORTAL_TEST_TERM_DATES=previous).
"""

import datetime

import pytest
from django.urls import reverse

from incidents.transfers import school_days_note
from safeguarding_portal.reminders.models import Reminder
from safeguarding_portal.reminders.services import run_sweep
from safeguarding_portal.schools.models import Term

from . import clock
from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200, name
    return response.content.decode()


@clock.frozen("2027-07-05 09:00")
def test_from_july_the_dsl_and_head_are_asked_for_next_years_term_dates(client, signed_in, school, dsl, head, staff):
    # The fixture school has entered 2025/26 and 2026/27; 2027/28 starts in September.
    for person in (dsl, head):
        signed_in(person)
        home = _page(client, "home")
        assert "Term dates for 2027/28 are missing." in home
        assert reverse("schools:terms_edit") in home
        assert "Summer 2026/27 term" in home
    signed_in(staff)
    assert "are missing" not in _page(client, "home")  # staff cannot enter them: not their worry

    assert run_sweep("schools.term_dates_missing", on=datetime.date(2027, 7, 5)) == 2  # a Monday
    assert run_sweep("schools.term_dates_missing", on=datetime.date(2027, 7, 5)) == 0  # once a day
    assert run_sweep("schools.term_dates_missing", on=datetime.date(2027, 7, 6)) == 0  # weekly, not daily
    texts = set(Reminder.objects.filter(kind="schools.term_dates_missing").values_list("recipient_email", "text"))
    assert {email for email, _ in texts} == {dsl.email, head.email}
    assert all(text.startswith("Term dates for 2027/28 are missing") for _, text in texts)

    Term.objects.create(
        school=school,
        academic_year=2027,
        name="autumn",
        starts_on=datetime.date(2027, 9, 2),
        ends_on=datetime.date(2027, 12, 17),
    )
    signed_in(dsl)
    assert "are missing" not in _page(client, "home")
    assert run_sweep("schools.term_dates_missing", on=datetime.date(2027, 7, 12)) == 0


@clock.frozen("2027-09-20 11:00")
def test_a_new_year_without_term_dates_still_answers_and_says_what_each_page_shows(
    client, signed_in, school, dsl, staff
):
    Term.objects.filter(school=school, academic_year=2027).delete()  # nobody has entered 2027/28 yet
    make_case(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    signed_in(dsl)
    note = "Term dates for 2027/28 are missing: showing the summer term 2026/27 and the days since"

    home = _page(client, "home")
    assert "Term dates for 2027/28 are missing." in home and note in home
    assert note in _page(client, "incidents:trends")
    assert note in _page(client, "filtering:checks")
    reports = _page(client, "reports:index")
    assert note in reports and "choose dates below" in reports
    for name in ("incidents:dashboard", "curriculum:heatmap", "curriculum:gaps", "curriculum:matrix", "aup:manage"):
        _page(client, name)


@clock.frozen("2027-08-12 10:00")
def test_in_the_summer_holiday_pages_name_the_holiday(client, signed_in, school, dsl):
    signed_in(dsl)
    note = "Summer holiday: showing the summer term 2026/27 and the days since"
    assert note in _page(client, "home") and note in _page(client, "incidents:trends")
    assert "are missing" not in _page(client, "home")  # 2027/28 is entered by the fixture


def test_a_cp_file_deadline_past_the_last_term_says_every_weekday_counted(school):
    last = school.terms.order_by("-ends_on").first().ends_on
    assert (
        school_days_note(
            school=school, start=last - datetime.timedelta(days=20), end=last - datetime.timedelta(days=13)
        )
        == ""
    )
    note = school_days_note(school=school, start=last, end=last + datetime.timedelta(days=7))
    assert note == (
        f"term dates after {last:%-d %b %Y} are not entered, so every weekday after it counted as a school day"
    )

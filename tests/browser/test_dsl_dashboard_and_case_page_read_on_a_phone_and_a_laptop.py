"""The DSL's dashboard (urgent rows, every state, a risk level), a case page that has grown (pupils, staff and
others involved, steps, a correction, a referral) and the home page's urgent panel, at 390 and 1280 px: nothing
cut off sideways, no axe-core violations (colour contrast included), screenshots of each."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.categories import Category
from incidents.models import EntryKind, PupilRole
from tests.factories import PupilFactory
from tests.incident_helpers import make_case

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worked_case(school, staff, dsl, deputy, osl):
    """A case in each state on the dashboard, an urgent one unacknowledged, and one case that has grown."""
    pupils = [
        PupilFactory(school=school, legal_forename=name, surname="Whitfield", year_group=str(3 + i))
        for i, name in enumerate(("Amara", "Bilal", "Chloe", "Dmitri", "Esme"))
    ]
    make_case(
        school=school, reporter=staff, immediate_risk=True, pupils=[pupils[0]], category=Category.UNWANTED_CONTACT
    )
    closed = make_case(school=school, reporter=staff, pupils=[pupils[1]], category=Category.PHISHING_SCAMS)
    for step in closed.steps.filter(done_entry__isnull=True):
        services.case_step_done(step=step, by=dsl, note="Done with the class teacher")
    services.case_transition(incident=closed, to="closed", by=dsl, outcome="Passwords changed")
    incident = make_case(
        school=school,
        reporter=staff,
        pupils=[pupils[2]],
        immediate_risk=True,
        category=Category.SEXUAL_ABUSE_EXPLOITATION,
        description="Messages from an adult asking to meet after school.",
    )
    services.case_acknowledge(incident=incident, by=dsl)
    services.case_assign(incident=incident, to=dsl, by=dsl)
    services.case_classify(
        incident=incident,
        by=dsl,
        severity="high",
        concern_type="child_protection",
        reason="An adult is asking to meet her",
    )
    services.case_pupil_add(
        incident=incident, by=dsl, pupil=pupils[3], role=PupilRole.WITNESS, reason="Saw the messages"
    )
    services.case_staff_add(incident=incident, by=dsl, user=osl, reason="Took the phone")
    services.case_other_add(incident=incident, by=dsl, name="Unknown adult", part="Messaged her on a gaming platform")
    services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.REFERRAL,
        text="Called 101",
        data={"agency": "police", "when": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    services.case_task_add(
        incident=incident,
        by=dsl,
        title="Call her mother",
        owner=deputy,
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    reported = incident.entries.get(kind=EntryKind.REPORTED)
    services.case_correct(
        incident=incident, by=dsl, entry=reported, field="location", value="off_site", reason="It happened at home"
    )
    return incident


def test_the_dashboard_reads_on_a_phone_and_a_laptop(page, dsl, worked_case):
    sign_in(page, dsl, device=confirmed_device(dsl))

    def reads(page, width):
        rows = page.locator(".case-table tbody tr")
        expect(rows).to_have_count(3)
        urgent = rows.filter(has_text=worked_case.reference)
        expect(urgent.locator('td[data-label="Status"]')).to_be_visible()
        expect(urgent.locator('td[data-label="Pupils"]')).to_contain_text("Chloe Whitfield")
        expect(page.locator(".trend-chart text", has_text="Week beginning")).to_have_count(1)

    check_at_both_widths(page, "/incidents/dashboard/", "dashboard", then=reads)


def test_a_case_that_has_grown_reads_on_a_phone_and_a_laptop(page, dsl, worked_case):
    sign_in(page, dsl, device=confirmed_device(dsl))

    def reads(page, width):
        expect(page.get_by_test_id("case-pupils")).to_contain_text("Dmitri Whitfield")
        expect(page.get_by_test_id("case-others")).to_contain_text("Unknown adult")
        expect(page.get_by_test_id("steps").locator("li", has_text="Inform the police")).to_have_attribute(
            "data-done", "yes"
        )

    check_at_both_widths(page, f"/incidents/case/{worked_case.reference}/", "case", then=reads)


def test_the_home_pages_urgent_panel_reads_on_a_phone_and_a_laptop(page, dsl, worked_case):
    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(page, "/", "home-dsl-urgent")

"""The training matrix and the trust report at 390 and 1280 px: no column off-screen, filters folded behind a
button on a phone, no axe-core violations, screenshots of each."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.categories import Category
from safeguarding_portal.accounts.policy import Role
from tests import factories_curriculum as fc
from tests.factories import PupilFactory, SchoolFactory
from tests.reports_helpers import concern

from .conftest import confirmed_device, sign_in
from .widths import PHONE, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_room(school, dsl, deputy, technician, governor):
    """A dozen people in different states: in date, due soon, expired, missing."""
    today = timezone.localdate()
    people = [
        fc.member(school, Role.STAFF, email=f"teacher{i}@oak.example", job_title="Class teacher") for i in range(8)
    ]
    for i, person in enumerate(people):
        fc.record(school, person, "induction", completed_on=today - datetime.timedelta(days=400))
        if i % 3:
            fc.record(school, person, "annual_update", completed_on=today - datetime.timedelta(days=[20, 350][i % 2]))
    for lead in (dsl, deputy):
        fc.record(school, lead, "induction", completed_on=today - datetime.timedelta(days=900))
        fc.record(school, lead, "dsl_training", completed_on=today - datetime.timedelta(days=700))
        fc.record(school, lead, "prevent", completed_on=today - datetime.timedelta(days=100))
    fc.record(school, technician, "filtering_monitoring", completed_on=today - datetime.timedelta(days=380))


def test_the_training_matrix(page, school, dsl, staff_room):
    sign_in(page, dsl, device=confirmed_device(dsl))

    def reads(page, width):
        expect(page.get_by_role("row", name="Technician")).to_contain_text("Expired")
        toggle = page.get_by_test_id("filters-toggle")
        if width == PHONE["width"]:
            # Folded on a phone: the first screen shows people, not filters, until asked.
            expect(page.get_by_label("Show people with")).to_be_hidden()
            toggle.click()
            expect(page.get_by_label("Show people with")).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "true")
        else:
            expect(toggle).to_be_hidden()
            expect(page.get_by_label("Show people with")).to_be_visible()

    check_at_both_widths(page, "/curriculum/training/matrix/", "curriculum-training-matrix", then=reads)
    check_at_both_widths(
        page, "/curriculum/training/matrix/?state=expired&role=staff", "curriculum-training-matrix-filtered"
    )


def test_the_trust_report(page, trust, school, other_school, staff, dsl, trust_lead):
    today = timezone.localdate()
    for _ in range(40):
        PupilFactory(school=school)
    for _ in range(25):
        PupilFactory(school=other_school)
    third = SchoolFactory(trust=trust, name="St Aidan's Church of England Voluntary Aided Junior School")
    for _ in range(12):
        PupilFactory(school=third)
    categories = [
        Category.CYBERBULLYING,
        Category.PHISHING_SCAMS,
        Category.HARMFUL_CONTENT_ACCIDENTAL,
        Category.ONLINE_HATE,
    ]
    for i in range(9):
        concern(
            school=school,
            reporter=staff,
            day=today - datetime.timedelta(days=3 + i * 4),
            category=categories[i % 4],
            dsl=dsl,
            ack_minutes=30 if i % 3 else 60 * 30,
            refer_to="action_fraud" if i % 4 == 1 else None,
            urgent=i == 2,
        )
    device = confirmed_device(trust_lead)
    sign_in(page, trust_lead, device=device)
    period = f"?starts_on={(today - datetime.timedelta(days=60)).isoformat()}&ends_on={today.isoformat()}"

    def reads(page, width):
        expect(page.get_by_test_id("trust-row")).to_have_count(3)
        expect(page.get_by_role("row", name="Oakfield Primary School").first).to_contain_text("9")
        toggle = page.get_by_test_id("period-toggle")
        if width == PHONE["width"]:
            expect(page.get_by_label("From")).to_be_hidden()
            toggle.click()
            expect(page.get_by_label("From")).to_be_visible()
        else:
            expect(toggle).to_be_hidden()

    check_at_both_widths(page, f"/reports/trust/{period}", "reports-trust", then=reads)

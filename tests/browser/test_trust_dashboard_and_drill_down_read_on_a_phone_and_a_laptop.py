"""The trust lead's dashboard and a school's drill-down at 390 and 1280 px: nothing off-screen (cards on a
phone), no axe-core violations, the state of each figure in words as well as colour, no child named;
screenshots of each."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.categories import Category
from tests.factories import PupilFactory, SchoolFactory
from tests.reports_helpers import concern

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_trust_dashboard_and_a_schools_drill_down(page, trust, school, other_school, staff, dsl, trust_lead):
    today = timezone.localdate()
    # Surnames no figure's words could contain ("Green" is also a state).
    pupils = [PupilFactory(school=school, surname=f"Quillfeather{chr(97 + i)}") for i in range(20)] + [
        PupilFactory(school=other_school, surname=f"Marchbanks{chr(97 + i)}") for i in range(10)
    ]
    SchoolFactory(trust=trust, name="St Aidan's Church of England Voluntary Aided Junior School")
    categories = [
        Category.CYBERBULLYING,
        Category.PHISHING_SCAMS,
        Category.HARMFUL_CONTENT_ACCIDENTAL,
        Category.ONLINE_HATE,
    ]
    for i in range(7):
        concern(
            school=school,
            reporter=staff,
            day=today - datetime.timedelta(days=2 + i * 3),
            category=categories[i % 4],
            dsl=dsl if i % 3 else None,
            ack_minutes=30,
            refer_to="action_fraud" if i % 4 == 1 else None,
            urgent=i == 0,
        )
    sign_in(page, trust_lead, device=confirmed_device(trust_lead))

    def dashboard(page, width):
        expect(page.get_by_test_id("dashboard-row")).to_have_count(3)
        first = page.get_by_test_id("dashboard-row").first
        expect(first).to_contain_text("Oakfield Primary School")  # the school needing most attention first
        # The state in words as well as colour.
        expect(first.locator(".dash-item .rag-red").first).to_contain_text("Red: needs attention")
        expect(page.get_by_test_id("dashboard-row").first).to_contain_text("Monitoring alerts")
        text = page.get_by_role("main").inner_text()
        assert not [p.surname for p in pupils if re.search(rf"\b{re.escape(p.surname)}\b", text)]

    check_at_both_widths(page, "/school/trust/", "trust-dashboard", then=dashboard)

    page.get_by_role("link", name="Oakfield Primary School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page).to_have_url(re.compile(rf"/reports/trust/school/{school.pk}/$"))

    def school_page(page, width):
        expect(page.get_by_test_id("school-area")).to_have_count(7)
        expect(page.get_by_role("row", name=re.compile("Referrals"))).to_contain_text("Action Fraud")
        text = page.get_by_role("main").inner_text()
        assert not [p.surname for p in pupils if re.search(rf"\b{re.escape(p.surname)}\b", text)]

    check_at_both_widths(page, f"/reports/trust/school/{school.pk}/", "trust-school-drill-down", then=school_page)
    check_at_both_widths(page, "/reports/trust/thresholds/", "trust-thresholds")

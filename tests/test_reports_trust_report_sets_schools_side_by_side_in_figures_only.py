"""The trust report: each of the trust's schools side by side for the trust safeguarding lead, figures only
(small counts as "fewer than 3"), as a page and as a PDF, in the same number of queries for 2 schools or 6."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.categories import Category
from safeguarding_portal.reports import trust as trust_report

from .factories import PupilFactory, SchoolFactory
from .reports_helpers import concern, pdf_text

PERIOD = {"starts_on": "2026-09-02", "ends_on": "2026-11-20"}


@pytest.mark.django_db
def test_the_trust_lead_sees_each_school_in_figures_and_no_child(
    trust, school, other_school, staff, dsl, trust_lead, signed_in
):
    pupil = PupilFactory(school=school, legal_forename="Cornelius", surname="Blatherwick")
    for i in range(4):
        concern(
            school=school, reporter=staff, day=datetime.date(2026, 10, 1 + i), pupils=[pupil], dsl=dsl, ack_minutes=15
        )
    concern(
        school=school,
        reporter=staff,
        day=datetime.date(2026, 10, 9),
        category=Category.PHISHING_SCAMS,
        dsl=dsl,
        ack_minutes=15,
        refer_to="action_fraud",
    )
    client = signed_in(trust_lead)

    page = client.get(reverse("reports:trust"), PERIOD)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Oakfield Primary School" in html and "Hillside Academy" in html
    assert html.count('data-testid="trust-row"') == 2
    assert "Cornelius" not in html and "Blatherwick" not in html
    table = trust_report.trust_table(trust=trust, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 11, 20))
    oak = next(r for r in table["rows"] if r["school"] == school)
    hill = next(r for r in table["rows"] if r["school"] == other_school)
    assert oak["total"] == 5 and oak["referrals"] == "fewer than 3" and oak["ack_pct"] == "100%"
    assert oak["four_c"] == [0, 0, 4, "fewer than 3"]  # content, contact, conduct, commerce
    assert hill["total"] == 0

    pdf = client.get(reverse("reports:trust_pdf"), PERIOD)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(pdf.content).split())
    assert "Hillside Academy" in text and "fewer than 3" in text and "Blatherwick" not in text


@pytest.mark.django_db
def test_bad_dates_fall_back_to_the_default_period_with_a_message(trust, school, trust_lead, signed_in):
    page = signed_in(trust_lead).get(reverse("reports:trust"), {"starts_on": "2026-11-01", "ends_on": "2026-10-01"})
    assert page.status_code == 200 and b"The end date is before the start date." in page.content


@pytest.mark.django_db
def test_school_staff_and_governors_cannot_open_the_trust_report(school, dsl, governor, signed_in):
    assert signed_in(governor).get(reverse("reports:trust")).status_code == 403


@pytest.mark.django_db
def test_query_count_does_not_grow_with_schools(trust, school, staff, dsl):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            trust_report.trust_table(trust=trust, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 11, 20))
        return len(queries)

    concern(school=school, reporter=staff, day=datetime.date(2026, 10, 1), dsl=dsl, ack_minutes=5)
    few = count()
    for n in range(4):
        SchoolFactory(trust=trust, name=f"Extra School {n}")
    assert count() == few

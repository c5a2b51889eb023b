"""No pupil is identifiable anywhere in the governor report: names, UPNs, classes and what reporters wrote
never reach the PDF, and counts of 1 or 2 show as "fewer than 3"."""

import datetime

import pytest

from incidents.categories import Category
from safeguarding_portal.reports import services
from safeguarding_portal.reports.models import GovernorReport

from .factories import PupilFactory
from .reports_helpers import concern, pdf_text

DISTINCTIVE = [("Zephyrine", "Quillfeather"), ("Bartholomew", "Oxenbridge"), ("Ottoline", "Vandersnoot")]


@pytest.mark.django_db
def test_the_pdf_names_no_pupil_and_hides_small_counts(school, staff, dsl):
    pupils = [
        PupilFactory(
            school=school, legal_forename=f, surname=s, preferred_forename=f"{f[:3]}ie", registration_group="Kestrels"
        )
        for f, s in DISTINCTIVE
    ]
    term_day = datetime.date(2026, 10, 5)
    for i in range(4):
        concern(
            school=school,
            reporter=staff,
            day=term_day + datetime.timedelta(days=i),
            pupils=pupils[:2],
            dsl=dsl,
            ack_minutes=30,
            close=True,
            description=f"{pupils[0].legal_forename} {pupils[0].surname} was sent messages by Ottoline.",
        )
    # Two grooming concerns about one child: a count that must read "fewer than 3", and a referral.
    for i in range(2):
        concern(
            school=school,
            reporter=staff,
            day=term_day + datetime.timedelta(days=10 + i),
            pupils=pupils[2:],
            category=Category.UNWANTED_CONTACT,
            dsl=dsl,
            ack_minutes=5,
            refer_to="ceop",
            description="Vandersnoot was asked for photos by an adult.",
        )

    report = services.report_request(
        school=school, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 11, 20), by=dsl
    )
    built = services.build(report_id=report.pk)

    assert built.state == GovernorReport.State.READY
    text = pdf_text(built.pdf.read())
    flat = " ".join(text.split())
    for pupil in pupils:
        for part in (pupil.legal_forename, pupil.surname, pupil.preferred_forename, pupil.upn):
            assert part not in flat, f"{part!r} appears in the governor report"
    assert "Kestrels" not in flat
    assert "messages by" not in flat and "asked for photos" not in flat
    # Two unwanted-contact concerns and two CEOP referrals: shown only as "fewer than 3".
    assert "fewer than 3" in flat
    assert "Unwanted contact from a stranger or adult" in flat
    assert "Online-safety concerns" in flat and "Evidence against the standards" in flat

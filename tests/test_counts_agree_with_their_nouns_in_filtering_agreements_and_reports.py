"""Counts read right: "1 change", "2 changes", "1 person", "the educational view is missing"."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from filtering import services, vendor
from filtering.models import EventKind, FilterEvent, RiskView
from safeguarding_portal.core.words import counted

from .factories_filtering import make_change


def test_counted_agrees_with_its_number():
    assert counted(1, "change") == "1 change" and counted(2, "change") == "2 changes"
    assert counted(0, "row") == "0 rows"
    assert counted(1, "person", "people") == "1 person" and counted(3, "person", "people") == "3 people"


@pytest.mark.django_db
def test_one_missing_risk_view_is_missing_and_two_are(school, staff, head, technician):
    change = make_change(school=school, requester=staff)
    with pytest.raises(ValidationError, match="the educational view and the technical view are missing"):
        services.approve(change=change, by=head, reason="ok", expires_on=timezone.localdate())
    services.assess(change=change, by=technician, view=RiskView.TECHNICAL, rating="low", assessment="Static.")
    with pytest.raises(ValidationError, match="the educational view is missing"):
        services.approve(change=change, by=head, reason="ok", expires_on=timezone.localdate())


@pytest.mark.django_db
def test_an_import_with_one_unexplained_change_says_so(school, technician, signed_in):
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    vendor.import_vendor_log(
        school=school,
        by=technician,
        filename="x.csv",
        mapping=vendor.Mapping(),
        data=f"timestamp,user,action,target\n{when},tech,Block,a.example\n".encode(),
    )
    event = FilterEvent.objects.get(kind=EventKind.VENDOR_IMPORT)
    assert "1 row from" in event.summary and "1 change no approved request explains" in event.summary
    page = signed_in(technician).get(reverse("filtering:vendor")).content.decode()
    assert "Imported 1 row" not in page and "1 row (" in page


@pytest.mark.django_db
def test_the_trust_report_caption_agrees(trust, school, trust_lead, signed_in):
    from .factories import PupilFactory

    PupilFactory(school=school)
    today = timezone.localdate()
    page = signed_in(trust_lead).get(
        reverse("reports:trust"),
        {"starts_on": (today - datetime.timedelta(days=30)).isoformat(), "ends_on": today.isoformat()},
    )
    assert "1 school, 1 pupil on roll, 0 online-safety concerns in the period." in page.content.decode()


@pytest.mark.django_db
def test_a_concerns_alert_entry_says_1_person_alerted_or_2_people(school, staff, dsl, request):
    from incidents.models import EntryKind

    from .incident_helpers import make_case

    alone = make_case(school=school, reporter=staff).entries.get(kind=EntryKind.ALERT)
    assert alone.text.endswith(": 1 person alerted"), alone.text
    request.getfixturevalue("deputy")
    both = make_case(school=school, reporter=staff).entries.get(kind=EntryKind.ALERT)
    assert both.text.endswith(": 2 people alerted"), both.text

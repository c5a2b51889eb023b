"""Checks: when, who, how, what was tested, result and actions, a certificate through storage; the coverage grid."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filtering import reminders, selectors, services
from filtering.models import CheckLocation, DeviceType, FilterCheck, UserGroup
from safeguarding_portal.reminders.models import Reminder

from . import clock
from .factories_filtering import certificate

# The dates below are in the autumn term of 2026/27: the clock is there too, whatever today is.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23")]
IN_TERM = datetime.date(2026, 10, 5)  # inside the conftest school's autumn term


def test_a_check_with_its_certificate(school, technician, head, signed_in):
    response = signed_in(technician).post(
        reverse("filtering:check_add"),
        {
            "checked_on": "2026-10-05",
            "method": "swgfl",
            "device_type": "school_tablet",
            "location": "classroom",
            "user_group": "pupils",
            "passed": "yes",
            "what_was_tested": "SWGfL Test Filtering: all four categories",
            "certificate": certificate(),
        },
    )
    assert response.status_code == 302
    check = FilterCheck.objects.get()
    assert check.checked_by == technician and check.certificate.name.startswith(f"filtering/checks/{school.pk}/")
    download = signed_in(head).get(reverse("filtering:check_certificate", args=[check.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_failed_check_needs_what_failed_and_the_actions(school, technician, signed_in):
    response = signed_in(technician).post(
        reverse("filtering:check_add"),
        {
            "checked_on": "2026-10-05",
            "method": "manual",
            "device_type": "personal",
            "location": "guest_wifi",
            "user_group": "visitors",
            "passed": "no",
            "what_was_tested": "Known adult sites",
        },
    )
    assert response.status_code == 200
    assert b"actions that followed" in response.content
    assert not FilterCheck.objects.exists()


def test_a_certificate_must_be_a_pdf_or_image(school, technician, signed_in):
    response = signed_in(technician).post(
        reverse("filtering:check_add"),
        {
            "checked_on": "2026-10-05",
            "method": "swgfl",
            "device_type": "school_tablet",
            "location": "classroom",
            "user_group": "pupils",
            "passed": "yes",
            "what_was_tested": "x",
            "certificate": SimpleUploadedFile("cert.exe", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 200 and not FilterCheck.objects.exists()


def test_the_grid_shows_what_is_untested_this_term(school, technician, signed_in):
    cells = [(d, loc, g) for d in DeviceType.values for loc in CheckLocation.values for g in UserGroup.values]
    for d, loc, g in cells[1:]:
        services.record_check(
            school=school,
            by=technician,
            checked_on=IN_TERM,
            method="swgfl",
            device_type=d,
            location=loc,
            user_group=g,
            passed=True,
            what_was_tested="SWGfL",
        )
    grid = selectors.coverage(school=school, start=datetime.date(2026, 9, 2), end=datetime.date(2026, 12, 18))
    assert grid["untested"] == 1
    untested = [c for line in grid["grid"] for c in line["cells"] if c.untested]
    assert (untested[0].device, untested[0].location, untested[0].group) == cells[0]

    # A reminder when the term is near its end and a combination is untested.
    reminders.checks_due(today=datetime.date(2026, 12, 5))
    assert Reminder.objects.filter(
        kind="filtering.checks_due", recipient_email=technician.email, text__contains="1 device"
    ).exists()

"""A vendor's CSV export goes in whole or not at all, with each bad row named; shipped mappings read
Smoothwall Monitor, Senso and Impero exports as they come; any other product is mapped once per school."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring import csvimport
from monitoring.models import AlertEvent, ColumnMapping, ImportRun, MonitoringAlert

from .factories import PupilFactory

pytestmark = pytest.mark.django_db

SMOOTHWALL = (
    b"Incident ID,Date/Time,Risk Level,Category,Username,Email,Device,Captured Text\n"
    b"SW-1,14/09/2026 10:00,5,Suicide and self-harm,jsmith,,LAPTOP-1,i want to end it\n"
    b"SW-2,14/09/2026 10:05,2,Bullying,unknown.kid,,LAPTOP-2,loser\n"
)
SENSO = (
    b"Violation ID,Time,Violation Category,Severity,User,Device Name,Violation Text\n"
    b"S-1,2026-09-14 09:00,Radicalisation,High,jsmith,PC-9,join us\n"
)
IMPERO = (
    b"Capture ID,Date Captured,Policy,Severity Level,Username,Computer Name,Captured Text\n"
    b"I-1,2026-09-14 08:00,Weapons,3,jsmith,SUITE-4,knife\n"
)


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, network_username="JSmith", school_email="j.smith@oak.example")


@pytest.mark.parametrize(
    "vendor,data,severity",
    [("smoothwall", SMOOTHWALL, "critical"), ("senso", SENSO, "high"), ("impero", IMPERO, "medium")],
)
def test_shipped_mappings_read_each_products_export(school, dsl, pupil, vendor, data, severity):
    result = csvimport.import_alerts(school=school, by=dsl, vendor=vendor, data=data, filename="x.csv", page=False)
    assert result.ok, result.errors
    first = MonitoringAlert.objects.filter(vendor=vendor).order_by("activity_at").first()
    assert first.severity == severity
    assert first.pupil == pupil  # matched by the network user name from the MIS import, whatever its case
    assert AlertEvent.objects.filter(alert=first, kind="received").count() == 1


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_imported(school, dsl, signed_in):
    data = (
        b"Incident ID,Date/Time,Risk Level,Category,Username,Email,Device,Captured Text\n"
        b"SW-1,14/09/2026 10:00,5,Bullying,a,,D,x\n"
        b"SW-2,the fourteenth,5,Bullying,a,,D,x\n"
        b"SW-3,14/09/2026 10:00,purple,,a,,D,x\n"
        b"SW-4,14/09/2026 10:00,3,Bullying,,,,x\n"
    )
    response = signed_in(dsl).post(
        reverse("monitoring:upload"), {"vendor": "smoothwall", "file": SimpleUploadedFile("bad.csv", data)}
    )
    assert response.status_code == 200
    assert b'data-testid="import-rejected"' in response.content
    errors = {(e.row, e.column) for e in response.context["result"].errors}
    assert {(3, "Date/Time"), (4, "Risk Level"), (4, "Category"), (5, "Username")} <= errors
    assert not any(row == 2 for row, _ in errors)
    assert MonitoringAlert.objects.count() == 0
    assert ImportRun.objects.get().status == ImportRun.Status.REJECTED


def test_another_product_is_mapped_once_and_remembered_for_the_school(school, dsl, signed_in):
    client = signed_in(dsl)
    data = b"When,Alarm,Grade,Login,Box,Said\n2026-09-14 10:00,Grooming,Red Alert,kid1,PC1,hello\n"
    response = client.post(
        reverse("monitoring:mapping"),
        {
            "vendor": "other",
            "activity_at": "When",
            "rule": "Alarm",
            "severity": "Grade",
            "username": "Login",
            "device": "Box",
            "captured_text": "Said",
            "severities": "Red Alert = critical",
        },
    )
    assert response.status_code == 302
    mapping = ColumnMapping.objects.get(school=school, vendor="other")
    assert mapping.columns["rule"] == "Alarm" and mapping.severities == {"red alert": "critical"}
    result = csvimport.import_alerts(school=school, by=dsl, vendor="other", data=data, filename="o.csv", page=False)
    assert result.ok, result.errors
    alert = MonitoringAlert.objects.get()
    assert (alert.rule, alert.severity, alert.captured_text) == ("Grooming", "critical", "hello")


def test_the_same_export_uploaded_twice_adds_nothing_the_second_time(school, dsl):
    csvimport.import_alerts(school=school, by=dsl, vendor="smoothwall", data=SMOOTHWALL, filename="a.csv", page=False)
    again = csvimport.import_alerts(
        school=school, by=dsl, vendor="smoothwall", data=SMOOTHWALL, filename="a.csv", page=False
    )
    assert again.ok and again.run.created == 0 and again.run.duplicates == 2
    assert MonitoringAlert.objects.count() == 2


def test_a_technician_uploads_and_sees_counts_but_not_the_queue(school, technician, signed_in):
    client = signed_in(technician)
    response = client.post(
        reverse("monitoring:upload"), {"vendor": "smoothwall", "file": SimpleUploadedFile("a.csv", SMOOTHWALL)}
    )
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:index")
    page = client.get(reverse("monitoring:index"))
    assert b'data-testid="alert-counts"' in page.content and b"i want to end it" not in page.content
    assert client.get(reverse("monitoring:queue")).status_code == 403
    alert = MonitoringAlert.objects.first()
    assert client.get(reverse("monitoring:alert", args=[alert.pk])).status_code == 403

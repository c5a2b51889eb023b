"""The vendor's filtering log can be uploaded as the .xlsx the product exports: same columns, same checks."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from filtering.models import VendorEntry, VendorImport

from .spreadsheets import workbook_bytes

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Time", "Admin", "Event", "Resource", "Change ID"]


def _when(minutes: int) -> datetime.datetime:
    # Excel keeps a local time without a zone: what the vendor's console showed.
    return (timezone.localtime() + datetime.timedelta(minutes=minutes)).replace(tzinfo=None, microsecond=0)


def _post(client, data: bytes, **extra):
    return client.post(
        reverse("filtering:vendor_import"),
        {
            "file": SimpleUploadedFile("lightspeed.xlsx", data, content_type=XLSX),
            "timestamp_column": "Time",
            "user_column": "Admin",
            "action_column": "Event",
            "target_column": "Resource",
            "reference_column": "Change ID",
            **extra,
        },
    )


def test_a_workbook_is_imported_with_its_times_read_as_uk_local_time(school, technician, signed_in):
    client = signed_in(technician)
    when = _when(-5)
    data = workbook_bytes({"Audit": [HEADER, [when, "tech", "Unblock site", "https://www.tiktok.com", 1003]]})
    response = _post(client, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = VendorEntry.objects.get()
    assert entry.target == "https://www.tiktok.com" and entry.reference == "1003"
    assert timezone.localtime(entry.at).replace(tzinfo=None) == when
    assert VendorImport.objects.get().status == VendorImport.Status.APPLIED


def test_a_workbook_with_a_bad_row_imports_nothing_and_names_the_row(school, technician, signed_in):
    client = signed_in(technician)
    data = workbook_bytes(
        {
            "Audit": [
                HEADER,
                [_when(-5), "tech", "Allow URL", "bbc.co.uk", "LS-1"],
                ["yesterday-ish", "tech", "Block", "example.com", "LS-2"],
            ]
        }
    )
    response = _post(client, data)
    assert response.status_code == 200
    run = VendorImport.objects.get()
    assert run.status == VendorImport.Status.REJECTED
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "Time")]
    assert not VendorEntry.objects.exists()


def test_a_workbook_with_several_sheets_asks_which_holds_the_log(school, technician, signed_in):
    client = signed_in(technician)
    data = workbook_bytes(
        {"Summary": [["Totals"]], "Audit": [HEADER, [_when(-5), "tech", "Allow", "a.example", "LS-9"]]}
    )
    response = _post(client, data)
    assert response.status_code == 200 and "This workbook has 2 sheets" in response.content.decode()
    assert not VendorImport.objects.exists()
    assert _post(client, data, sheet="Audit").status_code == 302
    assert VendorEntry.objects.get().reference == "LS-9"

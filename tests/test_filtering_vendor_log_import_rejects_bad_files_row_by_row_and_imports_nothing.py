"""A bad vendor file is rejected with every problem by row and column, and nothing of it is imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filtering import vendor
from filtering.models import FilterEvent, VendorEntry, VendorImport, VendorMapping

pytestmark = pytest.mark.django_db


def test_bad_rows_are_listed_and_nothing_is_imported(school, technician, signed_in):
    data = (
        b"Time,User,Action,Target\n"
        b"2026-09-14 10:00,tech,Allow,good.example\n"
        b"14th of Sept,tech,Allow,other.example\n"
        b"2026-09-14 11:00,,Block,\n"
        b"2099-01-01 10:00,tech,Block,future.example\n"
    )
    response = signed_in(technician).post(
        reverse("filtering:vendor_import"), {"file": SimpleUploadedFile("bad.csv", data)}
    )
    assert response.status_code == 200
    assert b'data-testid="import-rejected"' in response.content
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert (3, "Time") in errors and (4, "User") in errors and (4, "Target") in errors and (5, "Time") in errors
    assert (2, "Time") not in errors
    assert VendorEntry.objects.count() == 0
    assert VendorImport.objects.get().status == VendorImport.Status.REJECTED
    assert not VendorMapping.objects.exists()
    assert not FilterEvent.objects.exists()


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"PK\x03\x04xlsx", "Excel"),
        (b"%PDF-1.4", "PDF"),
        (b"Time,User,Action,Target\n", "no entries"),
        (b"When,Who,What\n2026-09-14 10:00,tech,Allow\n", "Say which column holds the target"),
    ],
)
def test_unreadable_files_are_explained(school, technician, data, message):
    result = vendor.import_vendor_log(
        school=school, by=technician, data=data, filename="f.csv", mapping=vendor.Mapping()
    )
    assert not result.ok
    assert any(message in e.message for e in result.errors)
    assert VendorEntry.objects.count() == 0


def test_a_mapped_column_that_is_not_there_lists_the_files_columns(school, technician):
    result = vendor.import_vendor_log(
        school=school,
        by=technician,
        filename="f.csv",
        data=b"When,Who,What,Where\n2026-09-14 10:00,t,Allow,x.example\n",
        mapping=vendor.Mapping(timestamp="Timestamp"),
    )
    text = " ".join(e.message for e in result.errors)
    assert "no column called “Timestamp”" in text and "“When”" in text

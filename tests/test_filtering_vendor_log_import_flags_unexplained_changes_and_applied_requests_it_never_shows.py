"""Reconciliation both ways: vendor changes nobody approved, and applied requests the vendor's log never shows."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from filtering import vendor
from filtering.models import EventKind, FilterEvent, State, VendorEntry, VendorImport, VendorMapping

from .factories_filtering import make_change

pytestmark = pytest.mark.django_db


def _when(delta_minutes: int) -> str:
    return (timezone.localtime() + datetime.timedelta(minutes=delta_minutes)).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def applied(school, staff, head, technician):
    explained = make_change(
        school=school,
        requester=staff,
        approver=head,
        technician=technician,
        state=State.APPLIED,
        target="https://www.bbc.co.uk/bitesize/",
    )
    unseen = make_change(
        school=school,
        requester=staff,
        approver=head,
        technician=technician,
        state=State.APPLIED,
        target="https://scratch.mit.edu/projects",
    )
    return explained, unseen


def _file(rows: list[str], header: str = "Time,Admin,Event,Resource,Change ID") -> SimpleUploadedFile:
    return SimpleUploadedFile("lightspeed.csv", ("\n".join([header, *rows]) + "\n").encode())


def test_both_ways(school, technician, applied, signed_in):
    explained, unseen = applied
    upload = _file(
        [
            f"{_when(-30)},tech,Sign in,console,",
            f"{_when(1)},tech,Allow URL,bbc.co.uk/bitesize,LS-1001",
            f"{_when(2)},j.smith,Unblock site,https://www.tiktok.com,LS-1003",
        ]
    )
    client = signed_in(technician)
    response = client.post(
        reverse("filtering:vendor_import"),
        {
            "file": upload,
            "timestamp_column": "Time",
            "user_column": "Admin",
            "action_column": "Event",
            "target_column": "Resource",
            "reference_column": "Change ID",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = VendorImport.objects.get()
    assert run.status == VendorImport.Status.APPLIED and run.rows == 3
    assert VendorEntry.objects.get(target="bbc.co.uk/bitesize").explained_by == explained
    assert VendorEntry.objects.get(action="Sign in").is_change is False

    rec = vendor.reconciliation(school=school)
    assert [e.target for e in rec.unexplained] == ["https://www.tiktok.com"]
    assert rec.never_seen == [unseen]
    page = client.get(reverse("filtering:vendor"))
    assert b"tiktok.com" in page.content and unseen.reference.encode() in page.content
    assert FilterEvent.objects.filter(kind=EventKind.VENDOR_IMPORT).count() == 1

    # The mapping is kept for the school's next import.
    mapping = VendorMapping.objects.get(school=school)
    assert (mapping.timestamp_column, mapping.target_column) == ("Time", "Resource")
    form = client.get(reverse("filtering:vendor_import")).context["form"]
    assert form["target_column"].value() == "Resource"


def test_a_change_made_before_any_approval_is_unexplained(school, technician, staff, head):
    # The vendor changed it a day before anyone approved it: approval after the fact does not explain it.
    early = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    make_change(
        school=school,
        requester=staff,
        approver=head,
        technician=technician,
        state=State.APPLIED,
        target="https://www.example.com/game",
    )
    result = vendor.import_vendor_log(
        school=school,
        by=technician,
        filename="x.csv",
        data=f"timestamp,user,action,target\n{early},tech,Allow,example.com/game\n".encode(),
        mapping=vendor.Mapping(),
    )
    assert result.ok and result.unexplained == 1


def test_common_column_names_are_recognised_without_a_mapping(school, technician):
    data = f"Date Time;Username;Action;URL\n{_when(-5)};tech;Block;badsite.example\n".encode()
    result = vendor.import_vendor_log(
        school=school, by=technician, filename="x.csv", data=data, mapping=vendor.Mapping()
    )
    assert result.ok and VendorEntry.objects.get().target == "badsite.example"

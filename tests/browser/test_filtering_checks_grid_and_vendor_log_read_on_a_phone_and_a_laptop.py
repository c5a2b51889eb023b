"""The checks grid, the vendor log reconciliation and a follow-up of a change nobody approved: nothing cut off
at 390 or 1280 px, no axe-core violations (colour contrast included), screenshots of each."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from filtering import services, vendor
from filtering.models import CheckLocation, DeviceType, FollowUpKind, State, UserGroup, VendorEntry, VendorFollowUp
from tests.factories_filtering import make_change

from .conftest import confirmed_device, screenshot, sign_in
from .widths import PHONE, assert_nothing_cut_off, check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checked(school, technician):
    """Every combination but three checked today, one in five of them failed."""
    cells = [(d, loc, g) for d in DeviceType.values for loc in CheckLocation.values for g in UserGroup.values]
    for i, (d, loc, g) in enumerate(cells[3:]):
        failed = i % 5 == 0
        services.record_check(
            school=school,
            by=technician,
            checked_on=timezone.localdate(),
            method="swgfl",
            device_type=d,
            location=loc,
            user_group=g,
            passed=not failed,
            what_was_tested="SWGfL Test Filtering: child abuse, terrorism, adult, offensive",
            failures="Adult content reached the guest network" if failed else "",
            actions="Ticket raised with the IT provider; retest booked" if failed else "",
        )


@pytest.fixture
def reconciled(school, staff, head, technician):
    """An imported vendor log: one change an approved request explains, two nobody approved."""
    make_change(
        school=school,
        requester=staff,
        approver=head,
        technician=technician,
        state=State.APPLIED,
        target="https://www.bbc.co.uk/bitesize/",
    )
    make_change(
        school=school,
        requester=staff,
        approver=head,
        technician=technician,
        state=State.APPLIED,
        target="https://scratch.mit.edu/projects",
    )

    def when(minutes: int) -> str:
        return (timezone.localtime() + datetime.timedelta(minutes=minutes)).strftime("%d/%m/%Y %H:%M")

    rows = [
        "Time,Admin,Event,Resource,Change ID",
        f"{when(1)},tech,Allow URL,bbc.co.uk/bitesize,LS-1001",
        f"{when(2)},j.smith,Unblock site,https://www.tiktok.com/@someone/video/7301234567890123456,LS-1003",
        f"{when(3)},supply.teacher,Remove from block list,https://www.roblox.com,LS-1004",
    ]
    vendor.import_vendor_log(
        school=school,
        by=technician,
        data=("\n".join(rows) + "\n").encode(),
        filename="lightspeed-audit.csv",
        mapping=vendor.Mapping(),
    )


def test_the_checks_grid(page, school, dsl, checked):
    sign_in(page, dsl, device=confirmed_device(dsl))

    def grid_reads(page, width):
        expect(page.get_by_test_id("untested-count")).to_have_text("3 of 27 untested")
        cell = page.get_by_test_id("cell-school_computer-classroom-pupils")
        expect(cell).to_contain_text("Untested")
        expect(cell).to_be_in_viewport()

    check_at_both_widths(page, "/filtering/checks/", "filtering-checks", then=grid_reads)


def test_the_vendor_log_and_a_follow_up(page, school, technician, reconciled):
    sign_in(page, technician, device=confirmed_device(technician))
    check_at_both_widths(page, "/filtering/vendor/", "filtering-vendor-log")
    entry = VendorEntry.objects.get(target="https://www.roblox.com")
    check_at_both_widths(page, f"/filtering/vendor/changes/{entry.pk}/", "filtering-vendor-follow-up")

    # On a phone: the technician records why the vendor made the change, and the reconciliation says so.
    page.set_viewport_size(PHONE)
    page.goto("/filtering/vendor/")
    page.get_by_role("link", name="Follow up the change to https://www.roblox.com").click()
    page.get_by_label("What explains the change").fill("Lightspeed's own category update, their ticket 4471.")
    page.get_by_role("button", name="Record the explanation").click()
    expect(page.get_by_text("Recorded as explained.")).to_be_visible()
    expect(page.get_by_test_id("to-follow-up")).to_contain_text("1 still to follow up")
    assert_nothing_cut_off(page)
    screenshot(page, "filtering-vendor-log-after-follow-up-390")
    follow_up = VendorFollowUp.objects.get()
    assert follow_up.kind == FollowUpKind.EXPLAINED and follow_up.by == technician and follow_up.entry == entry
    assert page.console_errors == []

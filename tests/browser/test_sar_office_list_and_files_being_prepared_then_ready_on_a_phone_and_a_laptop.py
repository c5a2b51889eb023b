"""The office's SAR list and the subject search; a CP file and a SAR disclosure "being prepared" (built in the
background), then ready on the same page through its HTMX poll, each at 390 and 1280 px with nothing cut off and no
axe-core violations."""

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import transfers
from incidents.models import CPFileTransfer
from sar import services as sar_services
from sar.models import Disclosure
from tests.bundle_helpers import leaver_with_records
from tests.sar_helpers import THIRD_PARTY, pupil_with_records

from .axe import assert_no_axe_violations
from .conftest import confirmed_device, screenshot, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_sees_the_list_and_finds_a_subject_by_searching(page, school, office, dsl, staff):
    pupil, _ = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    sar_services.request_log(
        school=school,
        by=office,
        requester_name="Jamie Hartwell",
        relationship="parent",
        received_on=timezone.localdate(),
        identity_check="Passport seen at the office",
        subject_pupil=pupil,
    )
    sign_in(page, office, device=confirmed_device(office))
    check_at_both_widths(
        page,
        "/subject-access/",
        "sar-list-office",
        then=lambda page, width: expect(page.get_by_test_id("sar-row")).to_contain_text("Jamie Hartwell"),
    )

    def search(page, width):
        page.get_by_label("Search by name or UPN").fill("hartw")
        expect(page.get_by_test_id("subject-options")).to_contain_text("Hartwell, Riley")
        page.get_by_label("Hartwell, Riley").check()
        screenshot(page, f"sar-new-search-found-{width}")
        assert_no_axe_violations(page)

    check_at_both_widths(page, "/subject-access/new/", "sar-new-search", then=search)


def test_a_cp_file_being_prepared_then_ready(page, school, dsl, staff):
    pupil = leaver_with_records(school=school, reporter=staff, cases=2)
    now = timezone.now()
    transfer = CPFileTransfer.objects.create(
        school=school, pupil=pupil, produced_at=now, requested_at=now, produced_by=dsl
    )  # asked for; no worker has run yet
    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(
        page,
        f"/incidents/transfers/{transfer.pk}/",
        "cp-file-being-prepared",
        then=lambda page, width: expect(page.get_by_test_id("transfer-status")).to_contain_text("Being prepared"),
    )
    transfers.cp_file_build(transfer_id=transfer.pk)  # the worker
    expect(page.get_by_test_id("transfer-download")).to_be_visible(timeout=15000)  # the poll reloads the page
    check_at_both_widths(page, f"/incidents/transfers/{transfer.pk}/", "cp-file-ready")


def test_a_sar_disclosure_being_prepared_then_ready(page, school, dsl, staff):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    sar = sar_services.request_log(
        school=school,
        by=dsl,
        requester_name="Jamie Hartwell",
        relationship="parent",
        received_on=timezone.localdate(),
        identity_check="Passport seen at the office",
        subject_pupil=pupil,
    )
    sar_services.redaction_mark(
        school=school,
        sar=sar,
        by=dsl,
        target=f"incidents.case:{case.pk}/description",
        phrase=THIRD_PARTY,
        exemption="third_party",
        reason="Another child's name",
    )
    now = timezone.now()
    disclosure = Disclosure.objects.create(school=school, request=sar, built_at=now, requested_at=now, built_by=dsl)
    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(
        page,
        f"/subject-access/{sar.pk}/",
        "sar-disclosure-being-prepared",
        then=lambda page, width: expect(page.get_by_test_id("disclosure-status")).to_contain_text("Being prepared"),
    )
    sar_services.disclosure_make(disclosure_id=disclosure.pk)  # the worker
    expect(page.get_by_role("link", name="Download")).to_be_visible(timeout=15000)
    check_at_both_widths(page, f"/subject-access/{sar.pk}/", "sar-disclosure-ready")
    disclosure.refresh_from_db()
    out = Path(os.environ.get("PORTAL_ARTIFACTS", "artifacts")) / "disclosure.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(disclosure.pdf.read())

"""The subject access request pages (the list, logging one, the request, the review pack with a redaction) and a
pupil who has left found by the DSL's search, each at 390 and 1280 px with nothing cut off and no axe-core
violations."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sar import services as sar_services
from tests.leaver_helpers import mark_left
from tests.sar_helpers import THIRD_PARTY, pupil_with_records

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_subject_access_pages_and_a_leaver_in_the_pupil_search(page, school, dsl, staff):
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
    sign_in(page, dsl, device=confirmed_device(dsl))
    check_at_both_widths(
        page,
        "/subject-access/new/",
        "sar-new",
        then=lambda page, width: expect(page.get_by_label("Received on")).to_have_value(
            timezone.localdate().isoformat()
        ),
    )
    check_at_both_widths(page, f"/subject-access/{sar.pk}/", "sar-detail")

    # A phrase redacted through the page itself.
    page.goto(f"/subject-access/{sar.pk}/pack/")
    description = page.locator(f"#p-incidents-case-{case.pk}-description")
    description.locator("summary").click()
    description.get_by_label("Exemption").select_option("third_party")
    description.get_by_label("Only these words (optional)").fill(THIRD_PARTY)
    description.get_by_label("Reason").fill("Another child's name")
    description.get_by_role("button", name="Record the redaction").click()
    expect(page.locator(f"#p-incidents-case-{case.pk}-description")).to_contain_text(
        "[redacted: third-party information]"
    )

    check_at_both_widths(page, f"/subject-access/{sar.pk}/pack/", "sar-pack")
    check_at_both_widths(page, "/subject-access/", "sar-list")

    mark_left(pupil)
    check_at_both_widths(
        page,
        "/school/pupils/?q=hartw",
        "pupils-leaver-found",
        then=lambda page, width: expect(page.get_by_test_id("left-on")).to_contain_text("Left on"),
    )

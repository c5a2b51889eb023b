"""Legal holds (the list, placing one, lifting one) and the monthly disposal review (the list, a batch under review
with its approvals, a disposed batch with its tombstones), each at 390 and 1280 px with nothing cut off and no
axe-core violations. The DSL places a hold and approves from the page; the head's approval disposes."""

import pytest
from playwright.sync_api import expect

from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import BatchStatus, DisposalBatch, LegalHold
from tests.retention_helpers import closed_case, pupil, swept

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_holds_and_a_disposal_batch_on_a_phone_and_a_laptop(page, school, staff, dsl, head):
    held_child = pupil(school, legal_forename="Kezia", surname="Brightwater")
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[held_child])
    for _ in range(2):
        closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    sign_in(page, dsl, device=confirmed_device(dsl))

    page.goto("/school/retention/holds/new/")
    page.get_by_label("Every record about a pupil").check()
    page.get_by_label("Pupil", exact=True).select_option(label=str(held_child))
    page.get_by_label("Reason").select_option("inquiry")
    page.get_by_label("Which inquiry, claim or request").fill("Independent inquiry into Riverside schools, INQ-7")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_test_id("holds-standing")).to_contain_text("INQ-7")
    check_at_both_widths(page, "/school/retention/holds/", "retention-holds")
    check_at_both_widths(page, "/school/retention/holds/new/", "retention-hold-place")
    hold = LegalHold.objects.get()
    check_at_both_widths(page, f"/school/retention/holds/{hold.pk}/lift/", "retention-hold-lift")

    swept()
    batch = DisposalBatch.objects.get()
    assert batch.items.count() == 2  # the held pupil's case is not listed
    check_at_both_widths(page, "/school/retention/disposal/", "retention-batches")
    check_at_both_widths(page, f"/school/retention/disposal/{batch.pk}/", "retention-batch-review")
    page.get_by_role("button", name="Approve disposal of the records listed").click()
    expect(page.get_by_test_id("approvals")).to_contain_text(dsl.full_name)

    disposal.batch_approve(school=school, user=head, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISPOSED
    check_at_both_widths(
        page,
        f"/school/retention/disposal/{batch.pk}/",
        "retention-batch-disposed",
        then=lambda p, w: expect(p.get_by_test_id("tombstones")).to_contain_text("date of birth + 25 years"),
    )

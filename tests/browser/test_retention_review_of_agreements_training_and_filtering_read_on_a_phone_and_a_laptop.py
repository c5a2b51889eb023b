"""A month's disposal batch holding every disposable kind (a case, a leaver's agreement, a training record of a
member of staff gone, a settled filtering change), under review and once disposed, at 390 and 1280 px with nothing
cut off and no axe-core violations; and the public verify page for the disposed agreement, which says when it was
disposed of."""

import datetime

import pytest
from playwright.sync_api import expect

from aup import services as aup_services
from filtering.models import State
from safeguarding_portal.retention import disposal
from safeguarding_portal.retention.models import BatchStatus, DisposalBatch
from tests.disposal_kinds_helpers import agreement_for_leaver, member_who_left, settled_change, training_record
from tests.factories_filtering import team
from tests.retention_helpers import closed_case, pupil, swept

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_batch_of_every_kind_and_the_verify_page_of_a_disposed_agreement(page, school, staff, dsl, head):
    closed_case(school=school, reporter=staff, dsl=dsl, pupils=[pupil(school)])
    signature, _, _ = agreement_for_leaver(school)
    training_record(school, member_who_left(school, ended_on=datetime.date(2019, 8, 31)), recorded_by=dsl)
    settled_change(school, team(school), state=State.REJECTED)
    sign_in(page, dsl, device=confirmed_device(dsl))

    swept()
    batch = DisposalBatch.objects.get()
    assert sorted(batch.items.values_list("kind", flat=True)) == [
        "aup.agreements",
        "curriculum.training",
        "filtering.log",
        "incidents.cp_records",
    ]
    check_at_both_widths(
        page,
        f"/school/retention/disposal/{batch.pk}/",
        "retention-batch-every-kind-review",
        then=lambda p, w: expect(p.locator("main")).to_contain_text("Agreements and consents: leaving + 6 years"),
    )
    page.get_by_role("button", name="Approve disposal of the records listed").click()
    expect(page.get_by_test_id("approvals")).to_contain_text(dsl.full_name)
    disposal.batch_approve(school=school, user=head, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISPOSED
    check_at_both_widths(
        page,
        f"/school/retention/disposal/{batch.pk}/",
        "retention-batch-every-kind-disposed",
        then=lambda p, w: expect(p.get_by_test_id("tombstones")).to_contain_text("Training records"),
    )
    code = aup_services.format_code(signature.verification_code)
    check_at_both_widths(
        page,
        f"/agreements/verify/?code={code}",
        "aup-verify-disposed",
        then=lambda p, w: expect(p.get_by_test_id("verify-disposed")).to_contain_text("retention schedule"),
    )

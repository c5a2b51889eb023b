import pytest
from playwright.sync_api import expect

from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from tests.factories import MembershipFactory

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOLS = {
    "Oakfield Primary School": ("Oakfield Primary School — Staff member", "Termly safeguarding reports", 0),
    "Hillside Academy": ("Hillside Academy — Governor", "Termly safeguarding reports", 1),
}


def test_a_staff_member_who_governs_another_school_switches_between_them_and_the_header_follows(
    page, staff, other_school
):
    MembershipFactory(user=staff, school=other_school, role=Role.GOVERNOR)
    sign_in(page, staff)
    switcher = page.get_by_label("Working in")
    start = page.get_by_role("heading", level=1).inner_text()
    assert start in SCHOOLS
    expect(switcher.locator("option:checked")).to_contain_text(start)
    [target] = [name for name in SCHOOLS if name != start]
    option, governor_panel, panel_count = SCHOOLS[target]

    # Choosing submits the form (the Switch button stays for keyboard and no-JavaScript users).
    switcher.select_option(label=option)

    expect(page.get_by_text(f"You are now working in {target}.")).to_be_visible()
    expect(page.get_by_label("Working in").locator("option:checked")).to_have_text(option)
    expect(page.get_by_role("heading", level=1)).to_have_text(target)
    expect(page.get_by_role("contentinfo")).to_contain_text(target)
    # What the page offers follows the role held at the school now chosen.
    expect(page.get_by_role("heading", name=governor_panel)).to_have_count(panel_count)
    screenshot(page, "switched-school")
    assert AuditEvent.objects.filter(action=AuditAction.CONTEXT_SWITCHED, actor=staff).count() == 1

    # The choice holds for the rest of the session.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(target)

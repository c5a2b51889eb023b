"""Pages built for device searches, vulnerability flags, a case's others involved and the trust's templates,
each at 390 and 1280 px with nothing cut off and no axe-core violations."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import searches, services
from incidents.categories import Category
from safeguarding_portal.schools.models import PupilFlag, VulnerabilityFlag
from safeguarding_portal.standards import services as standards
from safeguarding_portal.standards.registry import stored_kinds
from tests.factories import PupilFactory
from tests.incident_helpers import make_case

from .conftest import confirmed_device, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pupil(school):
    child = PupilFactory(school=school, legal_forename="Zebedee-Montgomery", surname="Quillfeather-Ashworth")
    today = timezone.localdate()
    PupilFlag.objects.create(
        pupil=child,
        kind=VulnerabilityFlag.CP_PLAN,
        starts_on=today - datetime.timedelta(days=60),
        source=PupilFlag.Source.MIS,
    )
    PupilFlag.objects.create(
        pupil=child,
        kind=VulnerabilityFlag.EAL,
        starts_on=today - datetime.timedelta(days=900),
        ends_on=today - datetime.timedelta(days=100),
        source=PupilFlag.Source.MIS,
    )
    return child


def test_device_searches_a_pupils_flags_and_a_case_with_others_involved(page, school, dsl, head, staff, deputy, pupil):
    case = make_case(school=school, reporter=staff, category=Category.CYBERBULLYING, pupils=[pupil])
    services.case_other_add(
        incident=case,
        by=dsl,
        name="Jay Collins-Fairweather",
        part="Pupil at Riverside Academy who sent the messages from an anonymous account",
    )
    search = searches.search_record(
        school=school,
        by=head,
        pupil=pupil,
        searched_at=timezone.now() - datetime.timedelta(hours=2),
        device="Own phone (Samsung Galaxy A15)",
        authorised_by=head,
        authority="headteacher",
        searched_by=staff,
        witness=deputy,
        no_witness_reason="",
        grounds="harm",
        reason="Threatening messages reported by a friend",
        looked_at="Messages and the camera roll from this week",
        found="Threatening messages to another pupil",
        child_at_risk=False,
        deleted=False,
        parents_informed=False,
        outcome="held",
        incident=case,
    )
    searches.search_parents_informed(search=search, by=head, text="Dad, by phone at 15:10")
    sign_in(page, dsl, device=confirmed_device(dsl))

    check_at_both_widths(page, "/incidents/device-searches/", "device-searches")
    check_at_both_widths(page, "/incidents/device-searches/new/", "device-search-new")
    check_at_both_widths(page, f"/incidents/device-searches/{search.pk}/", "device-search")
    cp_plan = pupil.flags.get(kind=VulnerabilityFlag.CP_PLAN)

    def dates_shown(page, width):
        # A date input shows only an ISO value: the site's dd/mm/yyyy left the saved dates looking empty.
        expect(page.locator(f"#id_flag{cp_plan.pk}-starts_on")).to_have_value(cp_plan.starts_on.isoformat())

    check_at_both_widths(page, f"/school/pupils/{pupil.pk}/flags/", "pupil-flags", then=dates_shown)

    def flags_and_others(page, width):
        expect(page.get_by_test_id("case-pupil-flags")).to_contain_text("Child protection plan")
        expect(page.get_by_test_id("case-others")).to_contain_text("Jay Collins-Fairweather")

    check_at_both_widths(page, f"/incidents/case/{case.reference}/", "case-flags-and-others", then=flags_and_others)


def test_the_trusts_standards_and_a_schools_panels(page, school, trust, trust_lead, dsl):
    for kind in stored_kinds():
        sample = kind.demo_template()
        if sample:
            standards.template_publish(
                trust=trust,
                by=trust_lead,
                kind=kind.name,
                key=sample[0],
                content=sample[1],
                note="Agreed by the trust's safeguarding leads, autumn term.",
            )
    sign_in(page, trust_lead, device=confirmed_device(trust_lead))
    check_at_both_widths(page, "/trust/standards/", "standards-trust")
    # Every kind's page is the one template (standards/trust_kind.html): one kind stands for them all.
    check_at_both_widths(
        page,
        "/trust/standards/incidents.procedures/",
        "standards-procedures",
        then=lambda page, width: expect(page.locator("main")).to_contain_text("0 behind, 0 differ, 1 not adopted."),
    )
    page.context.clear_cookies()
    sign_in(page, dsl, device=confirmed_device(dsl))
    for url, name in (
        ("/incidents/procedures/", "procedures-trust-panel"),
        ("/agreements/manage/", "aup-trust-panel"),
        ("/monitoring/mapping/", "monitoring-trust-panel"),
    ):
        check_at_both_widths(
            page, url, name, then=lambda page, width: expect(page.get_by_test_id("trust-templates")).to_be_visible()
        )

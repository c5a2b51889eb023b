"""The DSL on duty rota (a day swapped from the page), a police notification acknowledged from the page, and
the AI tools register, each at 390 and 1280 px with nothing cut off and no axe-core violations."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duty import ai, selectors, services
from duty.models import AIStandard, EncompassEntryKind, Period, RotaSwap
from tests.factories import PupilFactory
from tests.factories_duty import every_weekday, notification, weekly_rota

from .conftest import confirmed_device, screenshot, sign_in
from .widths import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rota(school, dsl, deputy):
    # Out-of-hours cover too, so someone is on duty whatever the hour the test runs at (browser tests run on
    # the real clock).
    services.save_settings(
        school=school,
        by=dsl,
        day_starts=datetime.time(8),
        day_ends=datetime.time(17),
        out_of_hours_cover=True,
        team_after_minutes=15,
        head_after_minutes=30,
    )
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl), out_of_hours=dict.fromkeys(range(7), deputy))


def test_the_rota_page_and_a_swapped_day(page, school, dsl, deputy, rota):
    sign_in(page, dsl, device=confirmed_device(dsl))
    on_duty = selectors.on_duty(school)

    def says_who(page, width):
        expect(page.get_by_test_id("on-duty-now")).to_contain_text(on_duty.full_name)

    check_at_both_widths(page, "/duty/rota/", "duty-rota", then=says_who)
    day = timezone.localtime(selectors.next_school_day_start(school, timezone.now())).date()
    page.locator("#id_on").fill(day.isoformat())
    page.locator("#id_period").select_option(Period.SCHOOL_DAY)
    page.locator("#id_person").select_option(label=deputy.full_name)
    page.locator("#id_reason").fill("DSL at a child protection conference")
    page.get_by_role("button", name="Save the swap").click()
    expect(page.get_by_test_id("rota-week")).to_contain_text("swap: DSL at a child protection conference")
    screenshot(page, "duty-rota-swapped")
    assert RotaSwap.objects.get(school=school, on=day).person == deputy
    assert (
        selectors.on_duty(school, selectors.next_school_day_start(school, timezone.now()) + datetime.timedelta(hours=1))
        == deputy
    )
    assert page.console_errors == []


def test_a_police_notification_is_acknowledged_from_its_page(page, school, dsl, deputy, rota):
    child = PupilFactory(school=school, legal_forename="Kezia", surname="Brightwater")
    n = notification(school, by=dsl, pupils=[child])
    sign_in(page, deputy, device=confirmed_device(deputy))
    page.goto("/")
    page.get_by_test_id("encompass-waiting").click()
    page.get_by_role("link", name=timezone.localtime(n.notified_at).strftime("%a %-d %b %Y %H:%M")).click()
    check_at_both_widths(page, f"/duty/encompass/{n.pk}/", "duty-encompass-unacknowledged")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("encompass-state")).to_contain_text(f"Acknowledged by {deputy.full_name}")
    screenshot(page, "duty-encompass-acknowledged")
    assert n.entries.filter(kind=EncompassEntryKind.ACKNOWLEDGED, author=deputy).exists()
    assert page.console_errors == []


def test_the_ai_tools_register(page, school, dsl, head, osl):
    approved = ai.add_tool(
        school=school,
        by=osl,
        name="Lesson Planner GPT",
        supplier="OpenAI",
        purpose="Drafting lesson plans",
        used_by="staff",
        data_seen="Teachers' prompts only",
        status="in_use",
    )
    ai.assess(tool=approved, by=dsl, ratings={s.value: ("met", "") for s in AIStandard})
    ai.decide(tool=approved, by=head, decision="approved", reason="Staff only; no pupil data entered.")
    proposed = ai.add_tool(
        school=school,
        by=osl,
        name="Reading Buddy AI",
        purpose="Reading practice chatbot",
        used_by="pupils",
        age_range="Years 3 to 6 (7 to 11)",
        data_seen="Pupils' typed answers and first names",
    )
    sign_in(page, dsl, device=confirmed_device(dsl))

    def counts(page, width):
        expect(page.get_by_test_id("ai-figures")).to_contain_text("1 of 2 tools assessed")

    check_at_both_widths(page, "/duty/ai-tools/", "duty-ai-register", then=counts)
    check_at_both_widths(page, f"/duty/ai-tools/{proposed.pk}/", "duty-ai-tool")
    expect(page.get_by_test_id("ai-review")).to_contain_text("AI tool added: Reading Buddy AI")

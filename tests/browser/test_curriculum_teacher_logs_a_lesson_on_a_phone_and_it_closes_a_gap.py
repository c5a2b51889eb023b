"""A teacher logs a lesson from a phone: the unit ticks its strands, and the lesson closes the open gap."""

import pytest
from playwright.sync_api import expect

from curriculum.models import Gap, Lesson
from tests import factories_curriculum as f
from tests.factories import PupilFactory

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_logs_a_lesson_on_a_phone_and_the_osl_sees_the_gap_closed(browser, live_server, staff, osl, school):
    PupilFactory(school=school, year_group="5")
    f.unit(school, title="Online bullying: bystanders and upstanders", year_groups=("5", "6"), strands=("bullying",))
    f.unit(school, title="Digital footprints", year_groups=("3",), strands=("reputation",))
    gap = f.gap(school, year_group="5", strand="bullying")

    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        timezone_id="Europe/London",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, staff)
    page.goto("/curriculum/lessons/log/")
    page.get_by_label("Year group").select_option("5")
    unit = page.get_by_label("Unit (optional: ticks its strands for you)")
    # Units not planned for Year 5 are hidden once the year group is chosen.
    expect(unit.locator("option", has_text="Digital footprints")).to_be_hidden()
    unit.select_option(label="Online bullying: bystanders and upstanders (Kapow)")
    expect(page.locator("#strand-bullying")).to_be_checked()
    expect(page.locator("#strand-privacy")).not_to_be_checked()
    screenshot(page, "curriculum-log-lesson-mobile")
    page.get_by_role("button", name="Log lesson").click()

    expect(page.get_by_text("This closes the curriculum gap on online bullying")).to_be_visible()
    lesson = Lesson.objects.get()
    assert lesson.year_group == "5" and list(lesson.strand_links.values_list("strand", flat=True)) == ["bullying"]
    gap.refresh_from_db()
    assert gap.status == Gap.Status.CLOSED and gap.closed_by_lesson == lesson
    assert not errors, errors
    context.close()

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, osl)
    page.goto("/curriculum/coverage/")
    cell = page.locator('td[data-year="5"][data-strand="bullying"]')
    expect(cell).to_contain_text("1")
    expect(cell).not_to_have_class("heat-gap")
    screenshot(page, "curriculum-heatmap")
    context.close()

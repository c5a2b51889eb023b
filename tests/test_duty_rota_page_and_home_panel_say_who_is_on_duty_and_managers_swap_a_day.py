"""Everyone at the school sees who is on duty (home page and rota page); the DSL team and the head keep the
weekly pattern and swap single days; every change is in the audit log."""

import pytest
from django.urls import reverse

from duty.models import Period, RotaSlot, RotaSwap
from safeguarding_portal.audit.models import AuditEvent

from . import clock
from .factories_duty import every_weekday, weekly_rota

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_the_home_page_says_who_is_on_duty(client, signed_in, school, staff, dsl, deputy):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    signed_in(staff)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'data-testid="on-duty"' in response.content
    assert deputy.full_name.encode() in response.content


@clock.frozen("2026-11-23 20:00")
def test_the_home_page_out_of_hours_without_cover_names_the_team(client, signed_in, school, staff, dsl):
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl))
    signed_in(staff)
    response = client.get(reverse("home"))
    assert b"Out of hours, no cover" in response.content and dsl.full_name.encode() in response.content


def test_a_manager_sets_the_weekly_pattern_and_swaps_a_day(client, signed_in, school, dsl, deputy):
    signed_in(dsl)
    data = {f"school_day_{d}": str(dsl.pk) for d in range(5)}
    response = client.post(reverse("duty:pattern"), data, follow=True)
    assert response.status_code == 200 and b"Weekly rota saved" in response.content
    assert RotaSlot.objects.filter(school=school, period=Period.SCHOOL_DAY, person=dsl).count() == 5

    response = client.post(
        reverse("duty:swap"),
        {"on": "2026-11-25", "period": "school_day", "person": str(deputy.pk), "reason": "Annual leave"},
        follow=True,
    )
    assert response.status_code == 200
    assert b"swap: Annual leave" in response.content
    assert RotaSwap.objects.get(school=school).person == deputy
    assert AuditEvent.objects.filter(summary__startswith="Duty swap").exists()


def test_staff_see_the_rota_but_cannot_change_it(client, signed_in, school, staff, dsl):
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl))
    signed_in(staff)
    page = client.get(reverse("duty:rota"))
    assert page.status_code == 200 and b"Save the swap" not in page.content
    assert client.post(reverse("duty:pattern"), {"school_day_0": ""}).status_code == 403
    assert RotaSlot.objects.filter(school=school).count() == 5

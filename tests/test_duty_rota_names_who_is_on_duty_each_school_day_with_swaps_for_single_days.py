"""The rota: a weekly pattern of who is on duty on school days (term dates) and out of hours, and swaps
that cover a single day."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from duty import selectors, services
from duty.models import Period
from safeguarding_portal.accounts.models import Membership

from . import clock
from .factories_duty import every_weekday, weekly_rota

# Monday 23 November 2026, in the autumn term.
pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_the_weekly_pattern_names_the_person_for_each_weekday(school, dsl, deputy):
    weekly_rota(school, by=dsl, school_day={0: dsl, 1: deputy})
    assert selectors.on_duty(school, clock.at("2026-11-23 10:00")) == dsl
    assert selectors.on_duty(school, clock.at("2026-11-24 09:00")) == deputy
    assert selectors.on_duty(school, clock.at("2026-11-25 09:00")) is None  # nobody on Wednesdays


def test_a_swap_covers_one_day_and_the_pattern_applies_again_the_day_after(school, dsl, deputy):
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl))
    services.swap_day(
        school=school,
        by=dsl,
        on=datetime.date(2026, 11, 26),
        period=Period.SCHOOL_DAY,
        person=deputy,
        reason="DSL on a course",
    )
    assert selectors.on_duty(school, clock.at("2026-11-26 11:00")) == deputy
    assert selectors.on_duty(school, clock.at("2026-11-27 11:00")) == dsl


def test_nobody_is_on_school_day_duty_in_the_holidays_or_out_of_hours_without_cover(school, dsl):
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl))
    assert selectors.on_duty(school, clock.at("2026-12-23 10:00")) is None  # Christmas holiday (term dates)
    assert selectors.on_duty(school, clock.at("2026-11-23 20:00")) is None  # evening, no out-of-hours cover
    assert not selectors.is_school_day(school, datetime.date(2026, 11, 28))  # a Saturday


def test_out_of_hours_cover_names_its_own_person_evenings_and_weekends(school, dsl, deputy):
    services.save_settings(
        school=school,
        by=dsl,
        day_starts=datetime.time(8),
        day_ends=datetime.time(17),
        out_of_hours_cover=True,
        team_after_minutes=10,
        head_after_minutes=20,
    )
    weekly_rota(school, by=dsl, school_day=every_weekday(dsl), out_of_hours={0: deputy, 5: deputy})
    assert selectors.on_duty(school, clock.at("2026-11-23 19:30")) == deputy
    assert selectors.on_duty(school, clock.at("2026-11-28 12:00")) == deputy
    assert selectors.on_duty(school, clock.at("2026-11-23 12:00")) == dsl


def test_only_the_dsl_or_a_deputy_can_be_on_the_rota_or_cover_a_swap(school, dsl, staff):
    with pytest.raises(ValidationError):
        services.set_slot(school=school, by=dsl, weekday=0, period=Period.SCHOOL_DAY, person=staff)
    with pytest.raises(ValidationError):
        services.swap_day(
            school=school,
            by=dsl,
            on=datetime.date(2026, 12, 23),
            period=Period.SCHOOL_DAY,
            person=dsl,
            reason="Holiday",
        )  # not a school day


def test_someone_who_left_the_dsl_team_is_no_longer_on_duty(school, dsl, deputy):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    Membership.objects.filter(user=deputy, school=school).update(
        started_on=datetime.date(2026, 9, 1), ended_on=datetime.date(2026, 11, 20)
    )
    assert selectors.on_duty(school, clock.at("2026-11-23 10:00")) is None


def test_the_next_school_day_starts_after_weekends_and_holidays(school):
    assert selectors.next_school_day_start(school, clock.at("2026-11-23 19:00")) == clock.at("2026-11-24 08:00")
    assert selectors.next_school_day_start(school, clock.at("2026-11-27 19:00")) == clock.at("2026-11-30 08:00")
    assert selectors.next_school_day_start(school, clock.at("2026-11-24 06:30")) == clock.at("2026-11-24 08:00")
    # Friday 18 December is the last day of term: the spring term starts on Monday 4 January.
    assert selectors.next_school_day_start(school, clock.at("2026-12-18 12:00")) == clock.at("2027-01-04 08:00")

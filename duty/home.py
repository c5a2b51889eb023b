"""The "on duty" panel on the home page (see ``core.selectors.app_panels``): who to go to now."""

from __future__ import annotations

from django.utils import timezone

from safeguarding_portal.accounts.policy import Cap

from . import selectors


def panel(*, portal) -> dict | None:
    if portal.school is None or not portal.can(Cap.VIEW_DUTY_ROTA):
        return None
    now = timezone.now()
    _day, period = selectors.period_at(portal.school, now)
    return {"person": selectors.on_duty(portal.school, now), "period": period,
            "team": selectors.dsl_team(portal.school) if period is None else []}

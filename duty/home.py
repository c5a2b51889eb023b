"""The "on duty" panel on the home page (see ``core.selectors.home_panels``): who to go to now, and for the
DSL team the police notifications waiting; for anyone asked, their open support actions."""

from __future__ import annotations

from django.utils import timezone

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins
from safeguarding_portal.core.selectors import HomePanel

from . import encompass, selectors


def panel(*, portal, term_view) -> dict | None:
    if portal.school is None or not portal.can(Cap.VIEW_DUTY_ROTA):
        return None
    now = timezone.now()
    _day, period = selectors.period_at(portal.school, now)
    data = {
        "person": selectors.on_duty(portal.school, now),
        "period": period,
        "team": selectors.dsl_team(portal.school) if period is None else [],
    }
    if portal.can(Cap.VIEW_ENCOMPASS):
        data["encompass_waiting"] = encompass.unacknowledged().filter(school=portal.school).count()
    if portal.can(Cap.OWN_SUPPORT_ACTIONS):
        data["my_open_actions"] = sum(
            1 for a in encompass.my_actions(school=portal.school, user=portal.user) if a.done is None
        )
    return data


plugins.register("home_panel", "duty", HomePanel(panel, template="duty/_home_panel.html"), order=10)

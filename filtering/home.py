"""The filtering panel on the home page (see ``core.selectors.home_panels``): what awaits this person."""

from __future__ import annotations

from django.utils import timezone

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins
from safeguarding_portal.core.selectors import HomePanel

from . import selectors
from .figures import request_figures


def panel(*, portal, term_view) -> dict | None:
    school = portal.school
    if school is None or not (
        portal.can(Cap.APPLY_FILTER_CHANGE) or portal.can(Cap.APPROVE_FILTER_CHANGE) or portal.can(Cap.VIEW_FILTER_LOG)
    ):
        return None
    today = timezone.localdate()
    data: dict = {"missing_roles": selectors.missing_roles(school=school, on=today)}
    if portal.can(Cap.APPROVE_FILTER_CHANGE):
        data["to_decide"] = selectors.to_decide(school=school, user=portal.user).count()
    if portal.can(Cap.APPLY_FILTER_CHANGE):
        data["to_apply"] = selectors.to_apply(school=school).count()
    figures = request_figures(school_ids=[school.pk], start=today, end=today, today=today)[school.pk]
    data["awaiting"] = figures.awaiting  # the school's figure, as governors and the trust see it
    data["overdue"] = figures.past_expiry
    data["expiring"] = selectors.expiring(school=school, today=today).count()
    return data


plugins.register("home_panel", "filtering", HomePanel(panel, template="filtering/_home_panel.html"), order=30)

"""The governor reports panel on the home page (see ``core.selectors.home_panels``)."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins
from safeguarding_portal.core.selectors import HomePanel

from .selectors import latest_report


def panel(*, portal, term_view) -> dict | None:
    if not portal.can(Cap.VIEW_GOVERNOR_REPORTS) or portal.school is None:
        return None
    return {"latest": latest_report(school=portal.school)}


plugins.register("home_panel", "reports", HomePanel(panel, template="reports/_home_panel.html"), order=90)

"""The governor reports panel on the home page (see ``core.selectors.app_panels``)."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap

from .selectors import latest_report


def panel(*, portal) -> dict | None:
    if not portal.can(Cap.VIEW_GOVERNOR_REPORTS) or portal.school is None:
        return None
    return {"latest": latest_report(school=portal.school)}

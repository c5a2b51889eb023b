"""The filtering panel on the home page (see ``core.selectors.app_panels``)."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap


def panel(*, portal) -> dict | None:
    if not (portal.can(Cap.APPLY_FILTER_CHANGE) or portal.can(Cap.APPROVE_FILTER_CHANGE)):
        return None
    return {}

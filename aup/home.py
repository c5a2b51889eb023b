"""The agreements panel on the home page (see ``core.selectors.app_panels``)."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.schools import selectors as school_selectors


def panel(*, portal) -> dict | None:
    if not portal.can(Cap.SIGN_OWN_AGREEMENTS):
        return None
    is_parent = "parent" in portal.roles
    return {
        "is_parent_only": portal.roles == {"parent"},
        "children": school_selectors.children_of(user=portal.user, school=portal.school) if is_parent else [],
    }

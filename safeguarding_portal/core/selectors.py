"""What each person's home page shows. Panels appear by capability, never by role name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.schools import selectors as school_selectors

from . import plugins


@dataclass(frozen=True)
class HomePanel:
    """A domain app's panel on the home page, registered as kind ``home_panel`` in ``<app>/home.py``.

    ``panel(*, portal, term_view) -> dict | None``: None hides it; a dict is rendered by ``template`` as
    ``panel``. ``region`` "lead" puts it above the grid of panels (the one call to action), "grid" in it.
    """

    panel: Callable[..., dict | None]
    template: str
    region: str = "grid"


def home_panels(*, portal) -> dict[str, Any]:
    school = portal.school
    term_view = school_selectors.term_in_view(school=school)
    regions: dict[str, list[tuple[str, dict]]] = {"lead": [], "grid": []}
    for home_panel in plugins.values("home_panel"):
        panel = home_panel.panel(portal=portal, term_view=term_view)
        if panel is not None:
            regions[home_panel.region].append((home_panel.template, panel))
    return {
        "school": school,
        "school_counts": school_selectors.school_counts(school=school) if portal.can(Cap.VIEW_PUPILS) else None,
        "term_view": term_view,
        # From July the coming year's term dates are needed (reports, reminders and the CP-file deadline
        # count school days from them): asked of those who can enter them.
        "ask_for_term_dates": portal.can(Cap.MANAGE_SCHOOL),
        "lead_panels": regions["lead"],
        "app_panels": regions["grid"],
    }

"""What each person's home page shows. Panels appear by capability, never by role name."""

from __future__ import annotations

from typing import Any

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.schools import selectors as school_selectors

# Each domain app may add a panel to the home page: a module ``<app>/home.py`` with
# ``panel(*, portal) -> dict | None``; a dict is rendered by ``templates/<app>/_home_panel.html`` as ``panel``.
HOME_PANEL_APPS = ("duty", "aup", "filtering", "curriculum", "safeguarding_portal.reports")


def app_panels(*, portal) -> list[tuple[str, dict]]:
    from importlib import import_module

    panels = []
    for app in HOME_PANEL_APPS:
        try:
            module = import_module(f"{app}.home")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.home":
                raise  # a broken panel module must fail loudly, not vanish from the page
            continue
        panel = module.panel(portal=portal)
        if panel is not None:
            panels.append((f"{app.rsplit('.', 1)[-1]}/_home_panel.html", panel))
    return panels


def home_panels(*, portal) -> dict[str, Any]:
    school = portal.school
    from incidents import figures as incident_figures
    from incidents import selectors as incident_selectors

    can_open_cases = portal.can(Cap.OPEN_CASES)
    term_view = school_selectors.term_in_view(school=school)
    return {
        "school": school,
        "own_reports": list(incident_selectors.own_reports(portal=portal)[:5])
        if portal.can(Cap.VIEW_OWN_REPORTS)
        else [],
        "queue_counts": incident_selectors.queue_counts(portal=portal) if can_open_cases else None,
        "allegations": incident_selectors.open_allegations(portal=portal)
        if portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS)
        else [],
        "show_report_action": portal.can(Cap.REPORT_CONCERN),
        "show_own_reports": portal.can(Cap.VIEW_OWN_REPORTS),
        "show_queue": portal.can(Cap.TRIAGE),
        "show_allegations": portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS),
        "shared_cases": list(incident_selectors.shared_with(portal=portal)[:10])
        if portal.can(Cap.VIEW_SHARED_CASES) and not can_open_cases
        else [],
        "school_counts": school_selectors.school_counts(school=school) if portal.can(Cap.VIEW_PUPILS) else None,
        "term_view": term_view,
        # This term's figures as the governor report and the trust report count them (incidents.figures).
        "term_figures": incident_figures.concern_figures(school_ids=[school.pk], start=term_view.window()[0],
                                                         end=term_view.window()[1])[school.pk]
        if portal.can(Cap.TRIAGE) or portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS)
        else None,
        # From July the coming year's term dates are needed (reports, reminders and the CP-file deadline
        # count school days from them): asked of those who can enter them.
        "ask_for_term_dates": portal.can(Cap.MANAGE_SCHOOL),
        "app_panels": app_panels(portal=portal),
    }

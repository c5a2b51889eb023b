"""The incidents panels on the home page (see ``core.selectors.home_panels``): the "Report a concern" action
above the panels, and what awaits the person (the DSL team's queue, allegations for the headteacher, cases
shared with them, their own reports)."""

from __future__ import annotations

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins
from safeguarding_portal.core.selectors import HomePanel

from . import figures, selectors


def report_action(*, portal, term_view) -> dict | None:
    return {} if portal.can(Cap.REPORT_CONCERN) else None


def panel(*, portal, term_view) -> dict | None:
    school = portal.school
    can_open_cases = portal.can(Cap.OPEN_CASES)
    start, end = term_view.window()
    return {
        "own_reports": list(selectors.own_reports(portal=portal)[:5]) if portal.can(Cap.VIEW_OWN_REPORTS) else [],
        "queue_counts": selectors.queue_counts(portal=portal) if can_open_cases else None,
        "allegations": selectors.open_allegations(portal=portal) if portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS) else [],
        "show_own_reports": portal.can(Cap.VIEW_OWN_REPORTS),
        "show_queue": portal.can(Cap.TRIAGE),
        "show_allegations": portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS),
        "shared_cases": list(selectors.shared_with(portal=portal)[:10])
        if portal.can(Cap.VIEW_SHARED_CASES) and not can_open_cases
        else [],
        # This term's figures as the governor report and the trust report count them (incidents.figures).
        "term_figures": figures.concern_figures(school_ids=[school.pk], start=start, end=end)[school.pk]
        if portal.can(Cap.TRIAGE) or portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS)
        else None,
    }


plugins.register(
    "home_panel",
    "incidents.report_action",
    HomePanel(report_action, template="incidents/_home_report_action.html", region="lead"),
    order=5,
)
plugins.register("home_panel", "incidents", HomePanel(panel, template="incidents/_home_panel.html"), order=5)

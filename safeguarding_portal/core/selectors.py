"""What each person's home page shows. Panels appear by capability, never by role name."""

from __future__ import annotations

from typing import Any

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.schools import selectors as school_selectors


def home_panels(*, portal) -> dict[str, Any]:
    school = portal.school
    from incidents import selectors as incident_selectors

    can_open_cases = portal.can(Cap.OPEN_CASES)
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
        "show_governor_reports": portal.can(Cap.VIEW_GOVERNOR_REPORTS),
        "show_agreements": portal.can(Cap.SIGN_OWN_AGREEMENTS),
        "show_filtering": portal.can(Cap.APPLY_FILTER_CHANGE) or portal.can(Cap.APPROVE_FILTER_CHANGE),
        "show_curriculum": portal.can(Cap.VIEW_CURRICULUM),
        "is_parent_only": portal.roles == {"parent"},
        "children": school_selectors.children_of(user=portal.user, school=school) if "parent" in portal.roles else [],
        "school_counts": school_selectors.school_counts(school=school) if portal.can(Cap.VIEW_PUPILS) else None,
        "current_term": school.current_term(),
    }

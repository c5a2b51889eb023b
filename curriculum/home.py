"""The training and curriculum panel on the home page (see ``core.selectors.home_panels``)."""

from __future__ import annotations

from django.utils import timezone

from safeguarding_portal.accounts.policy import Cap
from safeguarding_portal.core import plugins
from safeguarding_portal.core.selectors import HomePanel

from . import figures, selectors
from .models import Gap


def panel(*, portal, term_view) -> dict | None:
    if portal.school is None or not portal.can(Cap.VIEW_OWN_TRAINING):
        return None
    row = selectors.person_row(school=portal.school, user=portal.user)
    data: dict = {"due": row.due_cells if row else [], "required": bool(row and row.cells)}
    if portal.can(Cap.VIEW_CURRICULUM):
        data["open_gaps"] = list(
            Gap.objects.filter(school=portal.school, status=Gap.Status.OPEN).select_related("term")[:5]
        )
        # The count as governors and the trust see it (curriculum.figures), however many are listed.
        data["open_gap_count"] = figures.open_gaps(school_ids=[portal.school.pk])[portal.school.pk]
    if portal.can(Cap.MANAGE_TRAINING):
        data["totals"] = selectors.matrix(school=portal.school).totals()
        data["compliance"] = figures.training_compliance(school_ids=[portal.school.pk], on=timezone.localdate())[
            portal.school.pk
        ]
    return data


plugins.register("home_panel", "curriculum", HomePanel(panel, template="curriculum/_home_panel.html"), order=40)

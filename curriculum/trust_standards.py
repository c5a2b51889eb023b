"""Training requirements as one of the trust's kinds of template (safeguarding_portal.standards).

They keep their own table and pages (curriculum.standards): a school's requirement points at the standard it
was taken from. Registered so that the trust's standards page lists them with the other kinds.
"""

from __future__ import annotations

from django.urls import reverse

from safeguarding_portal.standards.registry import BEHIND, DIFFERS, NOT_ADOPTED, Kind, register

from .selectors import trust_view


@register
class TrainingKind(Kind):
    name = "curriculum.training"
    order = 40
    label = "Training requirements per role"
    key_label = "Requirement"
    stored = False

    def trust_url(self) -> str:
        return reverse("curriculum:trust_standards")

    def summary(self, *, trust) -> dict:
        rows = trust_view(trust=trust)["rows"]
        counts = {state: sum(r[state] for r in rows) for state in (BEHIND, DIFFERS, NOT_ADOPTED)}
        return {"templates": len(rows), **counts}

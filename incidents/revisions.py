"""Changes to the policy's list of categories, and the record of each change at every school.

When guidance names new harms (KCSiE 2026), the portal adds categories: new reports may use them at once,
while a school's existing cases keep the categories they were reported and classified under. Nothing is
moved for the school: a DSL who decides an older case belongs in a new category corrects the case's category,
and the correction is on the case's timeline. The change of list is itself recorded once per school, in the
school's hash-chained audit log, with the number of cases it had in each category at the time (so anyone can
see later that they were left as they were).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School

from .categories import FOUR_C, Category, FourC, default_procedure
from .models import Incident


@dataclass(frozen=True)
class Revision:
    key: str
    title: str
    added: tuple[str, ...]
    why: str

    @property
    def labels(self) -> list[str]:
        return [Category(c).label for c in self.added]


REVISIONS: tuple[Revision, ...] = (
    Revision(
        key="kcsie-2026",
        title="Keeping children safe in education 2026",
        added=(
            Category.AI_SEXUAL_IMAGERY,
            Category.ONLINE_MISOGYNY,
            Category.COERCIVE_CONTROL,
            Category.SEXTORTION,
        ),
        why="KCSiE 2026 names these harms: each has its own category and procedure checklist.",
    ),
)
KEEP_NOTE = "Existing cases keep their categories; new reports may use the new ones."


def _recorded(school: School) -> set[str]:
    return set(
        AuditEvent.objects.filter(school=school, action=AuditAction.CATEGORIES_REVISED).values_list(
            "detail__revision", flat=True
        )
    )


@transaction.atomic
def revisions_record(*, school: School) -> list[AuditEvent]:
    """Record each change of the category list not yet recorded for the school (at most once each)."""
    # Two deploys migrating at once must not record a change twice: the school's row is the lock.
    School.objects.select_for_update().filter(pk=school.pk).first()
    done = _recorded(school)
    pending = [r for r in REVISIONS if r.key not in done]
    if not pending:
        return []
    counts = dict(Incident.objects.filter(school=school).values_list("category").annotate(n=Count("pk")).order_by())
    events = []
    for revision in pending:
        events.append(
            audit_record(
                action=AuditAction.CATEGORIES_REVISED,
                school=school,
                summary=f"{len(revision.added)} categories added for {revision.title}. {KEEP_NOTE}",
                detail={
                    "revision": revision.key,
                    "added": [
                        {
                            "category": c,
                            "label": Category(c).label,
                            "four_c": FOUR_C[c],
                            "steps": [step.text for step in default_procedure(c)],
                        }
                        for c in revision.added
                    ],
                    # The school's cases per category when the list changed: none was moved.
                    "cases_by_category": {c: n for c, n in sorted(counts.items())},
                    "cases": sum(counts.values()),
                    "note": KEEP_NOTE,
                },
            )
        )
    return events


def revisions_record_everywhere(**kwargs) -> int:
    """After each migrate: record the change at every school that has not got it yet. Returns how many."""
    using = kwargs.get("using", "default")
    if using != "default":
        return 0
    recorded = 0
    for school in School.objects.order_by("pk"):
        recorded += len(revisions_record(school=school))
    return recorded


@dataclass(frozen=True)
class RecordedRevision:
    revision: Revision
    at: datetime.datetime
    cases: int

    @property
    def four_cs(self) -> list[tuple[str, str]]:
        return [(Category(c).label, FourC(FOUR_C[c]).label) for c in self.revision.added]


def revisions_for(*, school: School) -> list[RecordedRevision]:
    """The changes of the category list recorded for the school, newest first (one query)."""
    by_key = {r.key: r for r in REVISIONS}
    found = []
    for at, detail in (
        AuditEvent.objects.filter(school=school, action=AuditAction.CATEGORIES_REVISED)
        .order_by("-at")
        .values_list("at", "detail")
    ):
        revision = by_key.get(detail.get("revision"))
        if revision is not None:
            found.append(RecordedRevision(revision, at, int(detail.get("cases", 0))))
    return found

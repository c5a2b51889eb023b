"""What the dashboards and the access rules read from ``Incident`` (status, shared with the DSL team, a pupil's
report's moderation), checked against the case timelines it is a projection of (registered with
audit.projections below)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from safeguarding_portal.audit import projections
from safeguarding_portal.audit.projections import Mismatch

from .models import EntryKind, Incident, Moderation, Source, Status, TimelineEntry


def shared_on_timeline() -> Exists:
    """An allegation was shared with the DSL team: a SHARED entry on its (hash-chained) timeline."""
    return Exists(TimelineEntry.objects.filter(incident=OuterRef("pk"), kind=EntryKind.SHARED))


def status_on_timeline() -> Coalesce:
    last = (
        TimelineEntry.objects.filter(incident=OuterRef("pk"), kind=EntryKind.STATUS)
        .order_by("-seq")
        .annotate(to=KeyTextTransform("to", "data"))
        .values("to")[:1]
    )
    return Coalesce(Subquery(last), Value(Status.REPORTED), output_field=CharField())


def moderation_on_timeline() -> Case:
    """A pupil's report: the decision of its last MODERATED entry, else still to check; a member of staff's
    report is never moderated. (Every figure leaves a dismissed report out: the column alone must not decide.)"""
    last = (
        TimelineEntry.objects.filter(incident=OuterRef("pk"), kind=EntryKind.MODERATED)
        .order_by("-seq")
        .annotate(decision=KeyTextTransform("decision", "data"))
        .values("decision")[:1]
    )
    return Case(
        When(source=Source.PUPIL, then=Coalesce(Subquery(last), Value(Moderation.PENDING), output_field=CharField())),
        default=Value(Moderation.NONE),
        output_field=CharField(),
    )


def mismatches() -> Iterator[Mismatch]:
    cases = (
        Incident.objects.annotate(
            chain_status=status_on_timeline(),
            chain_shared=shared_on_timeline(),
            chain_moderation=moderation_on_timeline(),
        )
        .filter(
            ~Q(status=F("chain_status"))
            | ~Q(shared_with_dsl_team=F("chain_shared"))
            | ~Q(moderation=F("chain_moderation"))
        )
        .order_by("pk")
        .values_list(
            "reference",
            "status",
            "chain_status",
            "shared_with_dsl_team",
            "chain_shared",
            "moderation",
            "chain_moderation",
        )
    )
    for reference, status, chain_status, shared, chain_shared, moderation, chain_moderation in cases.iterator(
        chunk_size=2000
    ):
        if status != chain_status:
            yield Mismatch(f"case {reference}", "status", status, chain_status)
        if shared != chain_shared:
            yield Mismatch(f"case {reference}", "shared_with_dsl_team", shared, chain_shared)
        if moderation != chain_moderation:
            yield Mismatch(f"case {reference}", "moderation", moderation, chain_moderation)


# verify_chains runs it after the chains themselves (audit.projections, kind projection_check).
projections.register(
    "incidents",
    label="case status, sharing and moderation",
    agrees_with="the timelines",
    run=mismatches,
    order=10,
)

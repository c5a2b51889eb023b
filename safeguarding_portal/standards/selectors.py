"""Where each school stands against its trust's templates. A fixed number of queries for the whole trust."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safeguarding_portal.schools.models import School

from .models import TemplateAdoption, TrustTemplate
from .registry import BEHIND, DIFFERS, KINDS, NOT_ADOPTED, Kind, states, stored_kinds, words


@dataclass
class Standing:
    template: TrustTemplate
    school_content: Any
    taken_version: int | None
    states: list[str]
    differences: list[str] = field(default_factory=list)

    @property
    def words(self) -> str:
        return words(self.states)


def _standings(kind: Kind, templates: list[TrustTemplate], school_ids: list[int]) -> dict[tuple[int, int], Standing]:
    taken = dict(
        ((a.school_id, a.template_id), a.version)
        for a in TemplateAdoption.objects.filter(school_id__in=school_ids, template__in=templates)
    )
    contents = kind.school_contents(school_ids=school_ids, keys=[t.key for t in templates]) if templates else {}
    found = {}
    for sid in school_ids:
        for template in templates:
            content = contents.get((sid, template.key))
            diffs = kind.differences(template.content, content)
            version = taken.get((sid, template.pk))
            found[(sid, template.pk)] = Standing(
                template,
                content,
                version,
                states(trust_version=template.version, taken_version=version, differences=diffs),
                diffs,
            )
    return found


def _templates(*, trust_id: int, kind: Kind) -> list[TrustTemplate]:
    order = {key: i for i, (key, _) in enumerate(kind.keys())}
    return sorted(
        TrustTemplate.objects.filter(trust_id=trust_id, kind=kind.name), key=lambda t: order.get(t.key, len(order))
    )


def trust_kind_view(*, trust, kind: Kind) -> dict:
    """Each template of the kind with every school's standing and how many differ, are behind, have not taken it."""
    templates = _templates(trust_id=trust.pk, kind=kind)
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    standings = _standings(kind, templates, [s.pk for s in schools])
    rows = []
    for template in templates:
        cells = [(school, standings[(school.pk, template.pk)]) for school in schools]
        rows.append(
            {
                "template": template,
                "cells": cells,
                **{state: sum(state in s.states for _, s in cells) for state in (BEHIND, DIFFERS, NOT_ADOPTED)},
            }
        )
    return {"templates": templates, "schools": schools, "rows": rows}


def trust_overview(*, trust) -> list[dict]:
    """Every kind with its templates and how many schools differ, are behind or have not taken one."""
    rows = []
    for kind in KINDS.values():
        if kind.stored:
            view = trust_kind_view(trust=trust, kind=kind)
            counts = {
                "templates": len(view["templates"]),
                **{state: sum(r[state] for r in view["rows"]) for state in (BEHIND, DIFFERS, NOT_ADOPTED)},
            }
        else:
            counts = kind.summary(trust=trust) or {}
        rows.append({"kind": kind, "url": kind.trust_url(), **counts})
    return rows


def school_view(*, school: School, kind_name: str) -> list[Standing]:
    """The trust's templates of one kind and where this school stands against each (empty without a trust)."""
    kind = KINDS.get(kind_name)
    if kind is None or not school.trust_id:
        return []
    templates = _templates(trust_id=school.trust_id, kind=kind)
    standings = _standings(kind, templates, [school.pk])
    return [standings[(school.pk, t.pk)] for t in templates]


__all__ = ["Standing", "school_view", "stored_kinds", "trust_kind_view", "trust_overview"]

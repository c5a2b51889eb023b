"""Training requirements the trust sets once (``TrustTrainingStandard``) and its schools adopt and adapt.

A school's requirement taken from a standard remembers the version it took. Against the standard it is:

* ``not adopted``: the school has no requirement taken from it;
* ``same``: taken at the current version and unchanged;
* ``differs``: the school changed who needs it, how often or its name (adapting is allowed: it is shown);
* ``behind``: the trust has published a newer version since (it may differ as well).

Reads are a fixed number of queries for the whole trust.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding_portal.audit.services import audit_record
from safeguarding_portal.schools.models import School
from safeguarding_portal.standards import registry

from .models import TrainingRequirement, TrustTrainingStandard

COMPARED = ("name", "roles", "renew_months")
# The states and their words are the trust templates' (safeguarding_portal.standards), so training reads the same
# as every other kind; training keeps its own table because a school's requirement points at its standard.
STATE_WORDS = registry.STATE_WORDS


def _fields(obj) -> tuple:
    return (obj.name.strip(), tuple(sorted(obj.roles or [])), obj.renew_months)


def differences(standard: TrustTrainingStandard, requirement: TrainingRequirement) -> list[str]:
    labels = {"name": "name", "roles": "who needs it", "renew_months": "how often"}
    return [labels[f] for f, a, b in zip(COMPARED, _fields(standard), _fields(requirement), strict=True) if a != b]


def states(standard: TrustTrainingStandard, requirement: TrainingRequirement | None) -> list[str]:
    if requirement is None:
        return registry.states(trust_version=standard.version, taken_version=None, differences=[])
    return registry.states(trust_version=standard.version, taken_version=requirement.standard_version or 0,
                           differences=differences(standard, requirement))


@dataclass
class Adoption:
    standard: TrustTrainingStandard
    requirement: TrainingRequirement | None
    states: list[str]
    differences: list[str]

    @property
    def words(self) -> str:
        return registry.words(self.states)


def _adoptions(standards: list[TrustTrainingStandard], school_ids: list[int]) -> dict[tuple[int, int], Adoption]:
    taken = {(r.school_id, r.trust_standard_id): r for r in TrainingRequirement.objects.filter(
        school_id__in=school_ids, trust_standard__in=standards)}
    found = {}
    for sid in school_ids:
        for standard in standards:
            req = taken.get((sid, standard.pk))
            found[(sid, standard.pk)] = Adoption(standard, req, states(standard, req),
                                                 differences(standard, req) if req else [])
    return found


def trust_view(*, trust) -> dict:
    """Each standard with each school's state: which differ, which are behind. Three queries."""
    standards = list(TrustTrainingStandard.objects.filter(trust=trust).order_by("name"))
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    adoptions = _adoptions(standards, [s.pk for s in schools])
    rows = [{"standard": st, "cells": [(school, adoptions[(school.pk, st.pk)]) for school in schools],
             "behind": sum("behind" in adoptions[(s.pk, st.pk)].states for s in schools),
             "differs": sum("differs" in adoptions[(s.pk, st.pk)].states for s in schools),
             "not_adopted": sum("not_adopted" in adoptions[(s.pk, st.pk)].states for s in schools)}
            for st in standards]
    return {"standards": standards, "schools": schools, "rows": rows}


def school_view(*, school: School) -> list[Adoption]:
    if not school.trust_id:
        return []
    standards = list(TrustTrainingStandard.objects.filter(trust_id=school.trust_id).order_by("name"))
    adoptions = _adoptions(standards, [school.pk])
    return [adoptions[(school.pk, st.pk)] for st in standards]


@transaction.atomic
def standard_publish(*, trust, by, name: str, roles: list[str], renew_months: int | None, guidance: str = "",
                     standard: TrustTrainingStandard | None = None) -> TrustTrainingStandard:
    """A new standard, or a changed one as its next version (unchanged: nothing new is published)."""
    if standard is None:
        standard = TrustTrainingStandard(trust=trust, version=1)
        changed = True
    else:
        standard = TrustTrainingStandard.objects.select_for_update().get(pk=standard.pk, trust=trust)
        changed = (name.strip(), tuple(sorted(roles)), renew_months, guidance) != (*_fields(standard),
                                                                                 standard.guidance)
        if changed:
            standard.version += 1
    if not changed:
        return standard
    standard.name, standard.roles = name.strip(), roles
    standard.renew_months, standard.guidance = renew_months, guidance
    standard.published_at, standard.published_by = timezone.now(), by
    standard.full_clean()
    standard.save()
    audit_record(action="curriculum.trust_standard_published", actor=by, obj=standard,
                 summary=f"Trust training standard published: {standard.name} (version {standard.version})")
    return standard


@transaction.atomic
def standard_adopt(*, school: School, standard: TrustTrainingStandard, by) -> TrainingRequirement:
    """Take the trust's current version into the school's own requirement (the school's records keep counting:
    a requirement of the same name is updated, not replaced)."""
    if standard.trust_id != school.trust_id:
        raise ValidationError("That standard belongs to another trust.")
    req = (TrainingRequirement.objects.select_for_update().filter(school=school, trust_standard=standard).first()
           or TrainingRequirement.objects.select_for_update().filter(school=school, name=standard.name).first()
           or TrainingRequirement(school=school, order=99))
    req.name, req.roles, req.renew_months = standard.name, list(standard.roles), standard.renew_months
    req.guidance = standard.guidance or req.guidance
    req.trust_standard, req.standard_version, req.active = standard, standard.version, True
    req.full_clean()
    req.save()
    audit_record(action="curriculum.trust_standard_adopted", actor=by, school=school, obj=req,
                 summary=f"Took the trust's training standard {standard.name} (version {standard.version})")
    return req

"""Training requirements the trust sets once (``TrustTrainingStandard``) and its schools adopt and adapt.

A school's requirement taken from a standard remembers the version it took. Against the standard it is:

* ``not adopted``: the school has no requirement taken from it;
* ``same``: taken at the current version and unchanged;
* ``differs``: the school changed who needs it, how often or its name (adapting is allowed: it is shown);
* ``behind``: the trust has published a newer version since (it may differ as well).

This module holds those rules. The views of every school's state are ``selectors.trust_view`` and
``selectors.school_view`` (a fixed number of queries for the whole trust); publishing and adopting are
``services.standard_publish`` and ``services.standard_adopt``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    return registry.states(
        trust_version=standard.version,
        taken_version=requirement.standard_version or 0,
        differences=differences(standard, requirement),
    )


@dataclass
class Adoption:
    standard: TrustTrainingStandard
    requirement: TrainingRequirement | None
    states: list[str]
    differences: list[str]

    @property
    def words(self) -> str:
        return registry.words(self.states)

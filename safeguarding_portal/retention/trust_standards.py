"""The retention schedule as a kind of trust template (safeguarding_portal.standards).

One template per trust: the periods it sets for the kinds of record where it departs from the portal's
defaults (as monitoring's severity mappings list only the levels mapped differently). A school's copy is its
own schedule, written the same way; taking the trust's version sets every kind to the trust's period (the
portal's default for the kinds it does not list), each change in the audit log.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from safeguarding_portal.standards.registry import Kind, register

from .registry import KINDS, MAX_YEARS, MIN_YEARS, kinds
from .selectors import schedules
from .services import schedule_apply

SCHEDULE = "schedule"
_LINE = re.compile(r"^(?P<kind>[^=]+)=\s*(?P<years>\d+)\s*(years?)?\s*$", re.IGNORECASE)


def _overrides(periods: dict[str, int]) -> dict[str, int]:
    return {k.name: periods[k.name] for k in kinds() if k.name in periods and periods[k.name] != k.years}


@register
class RetentionKind(Kind):
    name = "retention.schedule"
    order = 10
    label = "Retention schedule"
    key_label = "Schedule"
    intro = (
        "How many years each kind of record is kept, counted from the event the kind names (a pupil's date of "
        "birth, leaving the school, the record being made). Kinds the template does not list keep the "
        "portal's default."
    )
    content_label = "Periods"
    adopt_url = "retention:adopt"
    school_url = "retention:schedule"

    @property
    def content_help(self) -> str:  # type: ignore[override]
        # A property: the apps register their kinds of record after this module is imported.
        return (
            "One per line: the kind of record, an equals sign, then the years (for example “Monitoring "
            "alerts = 3”). Kinds: "
            + "; ".join(f"{k.label} ({k.years} by default)" for k in kinds())
            + ". Empty: the portal's defaults."
        )

    def keys(self) -> list[tuple[str, str]]:
        return [(SCHEDULE, "Retention schedule")]

    def parse(self, key: str, text: str) -> dict[str, int]:
        names = {}
        for k in kinds():
            names[k.name.casefold()] = names[k.label.casefold()] = k.name
        found = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            match = _LINE.match(line.strip())
            kind = names.get(" ".join(match.group("kind").split()).casefold()) if match else None
            if kind is None:
                raise ValidationError(f"“{line.strip()}”: write a kind of record, =, then the years.")
            years = int(match.group("years"))
            if not MIN_YEARS <= years <= MAX_YEARS:
                raise ValidationError(f"“{line.strip()}”: between {MIN_YEARS} and {MAX_YEARS} years.")
            found[kind] = years
        return _overrides(found)

    def as_text(self, content: dict[str, int]) -> str:
        return "\n".join(f"{KINDS[name].label if name in KINDS else name} = {years}" for name, years in content.items())

    def school_contents(self, *, school_ids: list[int], keys: list[str]) -> dict[tuple[int, str], dict[str, int]]:
        return {
            (sid, SCHEDULE): _overrides(periods)
            for sid, periods in schedules(school_ids=school_ids).items()
            if SCHEDULE in keys
        }

    def differences(self, template_content: dict[str, int], school_content: dict[str, int] | None) -> list[str]:
        # Both sides list only the kinds set away from the portal's default; a kind neither lists is the default.
        theirs, mine = template_content or {}, school_content or {}
        found = []
        for k in kinds():
            here, there = mine.get(k.name, k.years), theirs.get(k.name, k.years)
            if here != there:
                found.append(f"{k.label.lower()}: {here} years here, {there} in the trust's")
        return found

    def demo_template(self) -> tuple[str, dict[str, int]] | None:
        # The trust keeps monitoring alerts a year longer, to compare three annual reviews.
        return (SCHEDULE, {"monitoring.alerts": 3}) if "monitoring.alerts" in KINDS else None

    def apply(self, *, school, key: str, content: dict[str, int], by, origin=None, options: dict | None = None) -> None:
        schedule_apply(school=school, user=by, periods=dict(content), note="The trust's schedule", origin=origin)

"""Monitoring severity mappings as a kind of trust template (safeguarding_portal.standards).

For one monitoring product, which of its levels is low, medium, high or critical in the portal's queue (and
so which alerts page the DSL on duty). The trust's template lists the levels it maps differently from the
portal's defaults, as the school's mapping page does; the school's copy is its saved mapping. Taking the
trust's version replaces the school's levels for that product and keeps its CSV columns.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from safeguarding_portal.standards.registry import Kind, register

from .csvimport import default_severities, save_mapping, saved_mapping
from .models import ColumnMapping, Severity, Vendor


def _overrides(vendor: str, severities: dict[str, str]) -> dict[str, str]:
    defaults = default_severities(vendor)
    return {k: v for k, v in sorted(severities.items()) if defaults.get(k) != v}


@register
class SeverityKind(Kind):
    name = "monitoring.severities"
    order = 50
    label = "Monitoring severity mappings"
    key_label = "Monitoring product"
    intro = (
        "How each monitoring product's levels map to the portal's severities: which alerts are critical and "
        "page the DSL on duty. Levels a template does not list use the portal's defaults."
    )
    content_label = "The product's levels"
    content_help = (
        "One per line: the product's level, an equals sign, then low, medium, high or critical "
        "(for example “Level 5 = critical”). Empty: the portal's defaults."
    )
    adopt_url = "monitoring:severities_adopt"
    school_url = "monitoring:mapping"

    def keys(self) -> list[tuple[str, str]]:
        return list(Vendor.choices)

    def parse(self, key: str, text: str) -> dict[str, str]:
        found = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            level, equals, severity = line.partition("=")
            level, severity = " ".join(level.split()).casefold(), severity.strip().casefold()
            if not equals or not level or severity not in Severity.values:
                raise ValidationError(
                    f"“{line.strip()}”: write the level, =, then one of {', '.join(Severity.values)}."
                )
            found[level] = severity
        return _overrides(key, found)

    def as_text(self, content: dict[str, str]) -> str:
        return "\n".join(f"{level} = {severity}" for level, severity in content.items())

    def school_contents(self, *, school_ids: list[int], keys: list[str]) -> dict[tuple[int, str], dict[str, str]]:
        saved = {
            (m.school_id, m.vendor): m.severities
            for m in ColumnMapping.objects.filter(school_id__in=school_ids, vendor__in=keys).only(
                "school_id", "vendor", "severities"
            )
        }
        return {(sid, key): _overrides(key, saved.get((sid, key)) or {}) for sid in school_ids for key in keys}

    def differences(self, template_content: dict[str, str], school_content: dict[str, str] | None) -> list[str]:
        # Both sides are the levels mapped away from the portal's defaults (``_overrides``), so a level only one
        # side lists is the default on the other; the levels neither lists are the same defaults on both.
        theirs, mine = template_content or {}, school_content or {}
        found = []
        for level in sorted(set(theirs) | set(mine)):
            if theirs.get(level) != mine.get(level):
                found.append(
                    f"“{level}” is {mine.get(level) or 'the default'} here, "
                    f"{theirs.get(level) or 'the default'} in the trust's"
                )
        return found

    def demo_template(self) -> tuple[str, dict[str, str]]:
        # The trust pages the DSL on duty for Smoothwall's level 4 too.
        return Vendor.SMOOTHWALL, {"level 4": "critical", "4": "critical"}

    def apply(self, *, school, key: str, content: dict[str, str], by, origin=None, options: dict | None = None) -> None:
        save_mapping(
            school=school,
            vendor=key,
            by=by,
            columns=saved_mapping(school=school, vendor=key).columns,
            severities=dict(content),
        )

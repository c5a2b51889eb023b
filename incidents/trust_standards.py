"""Procedure checklists per category as a kind of trust template (safeguarding_portal.standards).

The trust's checklist is written one step a line: ``?`` before a step makes it optional, and the timeline
entries that complete it follow in brackets, ``Inform the police via 101 [referral:police]``. Taking it
replaces the school's own checklist for that category through ``procedures.procedure_save`` (new cases only,
as any edit there).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from safeguarding_portal.standards.registry import Kind, register

from .categories import Category, StepSpec, default_procedure
from .models import ProcedureStep
from .procedures import COMPLETIONS, procedure_save

_KEYS = re.compile(r"\s*\[([^\]]*)\]\s*$")


def _content(steps) -> list[list]:
    return [[s.text.strip(), bool(s.mandatory), sorted(s.completed_by)] for s in steps]


@register
class ProcedureKind(Kind):
    name = "incidents.procedures"
    order = 20
    label = "Procedure checklists per category"
    key_label = "Category"
    intro = (
        "The steps each new case of a category must go through. A school that takes the trust's checklist "
        "uses it for new cases; open cases keep the steps they started with."
    )
    content_label = "Steps"
    content_help = (
        "One step a line. Start a line with ? for an optional step; end it with the entries that "
        "complete it in brackets, such as [referral:police, parent_contact]."
    )
    adopt_url = "incidents:procedure_adopt"
    school_url = "incidents:procedures"

    def keys(self) -> list[tuple[str, str]]:
        return list(Category.choices)

    def parse(self, key: str, text: str) -> list[list]:
        steps = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            mandatory = not line.startswith("?")
            line = line.lstrip("?").strip()
            completed_by: list[str] = []
            found = _KEYS.search(line)
            if found:
                completed_by = [k.strip() for k in found.group(1).split(",") if k.strip()]
                line = line[: found.start()].strip()
                unknown = [k for k in completed_by if k not in COMPLETIONS]
                if unknown:
                    raise ValidationError(
                        f"Not something that completes a step: {', '.join(unknown)}. Use: {', '.join(COMPLETIONS)}."
                    )
            if len(line) > 300:
                raise ValidationError("A step is at most 300 characters.")
            steps.append([line, mandatory, sorted(completed_by)])
        if not steps:
            raise ValidationError("A procedure needs at least one step.")
        return steps

    def as_text(self, content: list[list]) -> str:
        lines = []
        for text, mandatory, keys in content:
            done_by = " [" + ", ".join(keys) + "]" if keys else ""
            lines.append(("" if mandatory else "? ") + text + done_by)
        return "\n".join(lines)

    def school_contents(self, *, school_ids: list[int], keys: list[str]) -> dict[tuple[int, str], list[list]]:
        own: dict[tuple[int, str], list] = {}
        for step in ProcedureStep.objects.filter(school_id__in=school_ids, category__in=keys).order_by("order"):
            own.setdefault((step.school_id, step.category), []).append(step)
        return {
            (sid, key): _content(own.get((sid, key)) or default_procedure(key)) for sid in school_ids for key in keys
        }

    def differences(self, template_content: list[list], school_content: list[list] | None) -> list[str]:
        if school_content is None:
            return ["no checklist"]
        found = []
        for i in range(max(len(template_content), len(school_content))):
            mine = school_content[i] if i < len(school_content) else None
            theirs = template_content[i] if i < len(template_content) else None
            if mine != theirs:
                found.append(f"step {i + 1}" if mine and theirs else f"step {i + 1} {'missing' if theirs else 'added'}")
        return found

    def demo_template(self) -> tuple[str, list[list]]:
        steps = _content(default_procedure(Category.CYBERBULLYING))
        return Category.CYBERBULLYING, [
            *steps,
            ["Tell the trust safeguarding lead if it involves another of the trust's schools", True, []],
        ]

    def apply(self, *, school, key: str, content: list[list], by, origin=None, options: dict | None = None) -> None:
        procedure_save(
            school=school,
            category=key,
            by=by,
            origin=origin,
            steps=[StepSpec(text, mandatory, tuple(keys)) for text, mandatory, keys in content],
        )

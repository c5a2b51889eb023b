"""Agreement texts per audience as a kind of trust template (safeguarding_portal.standards).

A school's copy is the text of its published version for the audience (what people sign). Taking the trust's
text publishes it as the school's next version through ``aup.services`` (keeping the parents' consent
questions the school has), with "everyone must sign again" when the school asks for it; earlier signatures
keep counting otherwise, as for any version the school publishes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from safeguarding_portal.standards.registry import Kind, register

from . import services
from .models import DEFAULT_CONSENT_ITEMS, AgreementVersion, Audience
from .texts import DEFAULT_TEXTS


def _lines(text: str) -> list[str]:
    # Line breaks and spacing are how a school pasted it, not a difference of wording.
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


@register
class AgreementKind(Kind):
    name = "aup.agreements"
    order = 30
    label = "Agreement texts per audience"
    key_label = "Audience"
    intro = (
        "The acceptable use agreement each audience signs. A school that takes the trust's text publishes it "
        "as its next version; it may still edit its own afterwards."
    )
    content_label = "Agreement text"
    content_help = "One paragraph a line, as people will read it."
    adopt_url = "aup:agreement_adopt"
    school_url = "aup:manage"

    def keys(self) -> list[tuple[str, str]]:
        return list(Audience.choices)

    def parse(self, key: str, text: str) -> str:
        text = "\n".join(line.rstrip() for line in text.strip().splitlines())
        if not text:
            raise ValidationError("An agreement needs its text.")
        return text

    def as_text(self, content: str) -> str:
        return content

    def school_contents(self, *, school_ids: list[int], keys: list[str]) -> dict[tuple[int, str], str]:
        found: dict[tuple[int, str], str] = {}
        published = (
            AgreementVersion.objects.filter(
                agreement__school_id__in=school_ids, agreement__audience__in=keys, published_at__isnull=False
            )
            .order_by("-number")
            .values_list("agreement__school_id", "agreement__audience", "text")
        )
        for school_id, audience, text in published:
            found.setdefault((school_id, audience), text)
        return found

    def differences(self, template_content: str, school_content: str | None) -> list[str]:
        if school_content is None:
            return ["nothing published"]
        theirs, mine = _lines(template_content), _lines(school_content)
        if theirs == mine:
            return []
        # Lines only one side has: a reworded line counts on both sides, so count the larger side.
        changed = max(len(set(theirs) - set(mine)), len(set(mine) - set(theirs)))
        return [
            f"the text ({changed} line{'s' if changed != 1 else ''} differ{'' if changed != 1 else 's'})"
            if changed
            else "the text (its order)"
        ]

    def demo_template(self) -> tuple[str, str]:
        return Audience.VISITOR, DEFAULT_TEXTS[Audience.VISITOR] + (
            "\nI will wear my visitor's badge where it can be seen and return it when I leave."
        )

    def apply(self, *, school, key: str, content: str, by, origin=None, options: dict | None = None) -> None:
        options = options or {}
        agreement = services.ensure_agreement(school=school, audience=key)
        base = agreement.draft or agreement.current_version
        items = (base.consent_items if base else None) if key == Audience.PARENT else None
        if key == Audience.PARENT and not items:
            items = DEFAULT_CONSENT_ITEMS
        draft = services.save_draft(
            agreement=agreement,
            text=content,
            consent_items=items,
            requires_resign=bool(options.get("requires_resign")),
            summary=options.get("summary", "The trust's text"),
        )
        services.publish(version=draft, by=by)

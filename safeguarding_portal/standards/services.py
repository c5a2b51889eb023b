"""Publishing a trust template and taking it into a school (the kind writes the school's own settings)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from safeguarding_portal.audit.services import Origin, audit_record
from safeguarding_portal.schools.models import School

from .models import TemplateAdoption, TrustTemplate
from .registry import KINDS


@transaction.atomic
def template_publish(
    *, trust, by, kind: str, key: str, content: Any, note: str = "", origin: Origin | None = None
) -> TrustTemplate:
    """A new template, or a changed one as its next version; the same content again publishes nothing."""
    spec = KINDS.get(kind)
    if spec is None or not spec.stored:
        raise ValidationError("Not a kind of template the trust can publish.")
    template = TrustTemplate.objects.select_for_update().filter(trust=trust, kind=kind, key=key).first()
    before = None
    if template is None:
        template = TrustTemplate(trust=trust, kind=kind, key=key, version=1)
    elif (template.content, template.note) == (content, note.strip()):
        return template
    else:
        before = template.content
        template.version += 1
    template.content, template.note = content, note.strip()
    template.published_at, template.published_by = timezone.now(), by
    template.full_clean()
    template.save()
    audit_record(
        action="standards.template_published",
        origin=origin,
        actor=by,
        school=None,
        obj=template,
        summary=f"Trust template published: {spec.label}, {template.key_label} (version {template.version})",
        detail={"kind": kind, "key": key, "version": template.version, "before": before, "after": content},
    )
    return template


def template_for_school(*, school: School, kind: str, template_id: int) -> TrustTemplate:
    """A template of the school's own trust and of ``kind`` (anything else is not found)."""
    template = TrustTemplate.objects.filter(pk=template_id, kind=kind, trust_id=school.trust_id).first()
    if template is None or school.trust_id is None:
        raise Http404("No such template for this school's trust.")
    return template


@transaction.atomic
def template_adopt(
    *, school: School, template: TrustTemplate, by, origin: Origin | None = None, options: dict | None = None
) -> TemplateAdoption:
    """Take the trust's current version into the school's own settings, and remember which version it was."""
    if template.trust_id != school.trust_id:
        raise ValidationError("That template belongs to another trust.")
    template = TrustTemplate.objects.select_for_update().get(pk=template.pk)
    spec = KINDS[template.kind]
    before = spec.school_contents(school_ids=[school.pk], keys=[template.key]).get((school.pk, template.key))
    spec.apply(school=school, key=template.key, content=template.content, by=by, origin=origin, options=options)
    adoption, _ = TemplateAdoption.objects.update_or_create(
        school=school,
        template=template,
        defaults={"version": template.version, "adopted_at": timezone.now(), "adopted_by": by},
    )
    audit_record(
        action="standards.template_adopted",
        origin=origin,
        actor=by,
        school=school,
        obj=adoption,
        summary=f"Took the trust's {spec.label.lower()}: {template.key_label} (version {template.version})",
        detail={
            "kind": template.kind,
            "key": template.key,
            "version": template.version,
            "before": before,
            "after": template.content,
        },
    )
    return adoption

"""Demo data: the demo trust publishes one template of each kind; Oakfield takes the procedure checklist, so the
trust's standards page shows a school as the trust's and one not adopted, and each school a template to take."""

from __future__ import annotations

from safeguarding_portal.core import plugins

from . import services
from .models import TemplateAdoption
from .registry import stored_kinds


def seed(*, demo) -> list[str]:
    lead, dsl, oakfield = demo.users.get("trust"), demo.users.get("dsl"), demo.schools.get("oakfield")
    published = []
    for kind in stored_kinds():
        sample = kind.demo_template()
        if sample is None or lead is None:
            continue
        key, content = sample
        template = services.template_publish(
            trust=demo.trust,
            by=lead,
            kind=kind.name,
            key=key,
            content=content,
            note="Agreed by the trust's safeguarding leads, autumn term.",
        )
        published.append(f"{kind.label.lower()} ({template.key_label})")
        if (
            kind.name == "incidents.procedures"
            and oakfield
            and dsl
            and not TemplateAdoption.objects.filter(school=oakfield, template=template).exists()
        ):
            services.template_adopt(school=oakfield, template=template, by=dsl)
    if not published:
        return []
    return [
        f"Trust templates (trust@demo.example, Standards for schools): {'; '.join(published)}; "
        "Oakfield follows the trust's cyberbullying checklist."
    ]


plugins.register("demo", "standards", seed, order=95)

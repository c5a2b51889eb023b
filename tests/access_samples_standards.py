"""Access-walk samples for the trust's templates (safeguarding_portal.standards), merged into access_samples.py.

A template is the trust's, not a record of one school (both walk schools are in the trust): anyone who may
change that setting at a school of the trust may take it, so its samples do not name a school's record.
"""

from __future__ import annotations

from .access_samples import Sample, SampleContext


def _template(kind: str, key: str, content):
    def make(ctx: SampleContext) -> int:
        from django.utils import timezone

        from safeguarding_portal.standards.models import TrustTemplate

        return TrustTemplate.objects.get_or_create(
            trust=ctx.school.trust, kind=kind, key=key, defaults={"content": content, "published_at": timezone.now()}
        )[0].pk

    return make


_KIND = Sample(lambda ctx: "incidents.procedures", school_object=False)

KWARG_SAMPLES: dict[str, Sample] = {}
URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "standards:trust_kind": {"kind": _KIND},
    "standards:publish": {"kind": _KIND},
    "incidents:procedure_adopt": {
        "template_id": Sample(
            _template("incidents.procedures", "cyberbullying", [["Walk step", True, []]]), school_object=False
        )
    },
    "aup:agreement_adopt": {
        "template_id": Sample(_template("aup.agreements", "visitor", "Walk agreement text."), school_object=False)
    },
    "monitoring:severities_adopt": {
        "template_id": Sample(
            _template("monitoring.severities", "senso", {"walk level": "critical"}), school_object=False
        )
    },
    "retention:adopt": {
        "template_id": Sample(
            _template("retention.schedule", "schedule", {"monitoring.alerts": 3}), school_object=False
        )
    },
}

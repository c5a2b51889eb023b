"""Access-walk samples for the subject access request app's URL kwargs (merged into ``tests/access_samples.py``).

The sample request is about a pupil, so its pack, redactions and disclosures are the DSL team's (the object rule
``policy.can_review_subject_access``); the head, who also manages requests, opens the request page but gets 404
there; the office (MANAGE_SAR without REVIEW_SAR) opens the list and the request page, and is refused the rest by the
URL rule.
"""

from __future__ import annotations

from .access_samples import Sample, SampleContext


def _logger(ctx: SampleContext):
    from safeguarding_portal.accounts.policy import Role

    from .factories import MembershipFactory, UserFactory

    key = f"sar_dsl_{ctx.school.pk}"
    if key not in ctx.shared:
        user = UserFactory(email=f"walk.sar{ctx.school.pk}@oak.example", full_name="Walk Sar")
        MembershipFactory(user=user, school=ctx.school, role=Role.DSL)
        ctx.shared[key] = user
    return ctx.shared[key]


def _request(ctx: SampleContext):
    from django.utils import timezone

    from sar import services

    from .factories import PupilFactory

    key = f"sar_request_{ctx.school.pk}"
    if key not in ctx.shared:
        pupil = PupilFactory(school=ctx.school, legal_forename="Walksar", surname="Child")
        ctx.shared[key] = services.request_log(
            school=ctx.school,
            by=_logger(ctx),
            requester_name="Walk Parent",
            relationship="parent",
            received_on=timezone.localdate(),
            identity_check="Passport seen",
            subject_pupil=pupil,
        )
    return ctx.shared[key]


def _request_id(ctx: SampleContext) -> int:
    return _request(ctx).pk


def _disclosure_id(ctx: SampleContext) -> int:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from sar.models import Disclosure

    sar = _request(ctx)
    disclosure = Disclosure(
        school=ctx.school,
        request=sar,
        built_at=timezone.now(),
        built_by=_logger(ctx),
        sha256="0" * 64,
        pages=1,
        records=0,
        redactions=0,
        build_state="ready",
    )
    disclosure.pdf.save("walk.pdf", ContentFile(b"%PDF-1.7 walk"), save=False)
    disclosure.save()
    return disclosure.pk


def _caps():
    from safeguarding_portal.accounts.policy import Cap

    return frozenset({Cap.TRIAGE})


_REQUEST = Sample(_request_id, school_object=True)
_REVIEWED = Sample(_request_id, school_object=True, visible_with_any=_caps())

# Keyed per URL: "request_id" is too plain a name to claim for every app.
KWARG_SAMPLES: dict[str, Sample] = {}

URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "sar:detail": {"request_id": _REQUEST},
    "sar:extend": {"request_id": _REQUEST},
    **{name: {"request_id": _REVIEWED} for name in ("sar:pack", "sar:mark", "sar:withdraw", "sar:build", "sar:sent")},
    **{
        name: {
            "request_id": _REVIEWED,
            "disclosure_id": Sample(_disclosure_id, school_object=True, visible_with_any=_caps()),
        }
        for name in ("sar:disclosure_pdf", "sar:disclosure_status")
    },
}

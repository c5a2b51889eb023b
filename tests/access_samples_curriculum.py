"""Access-walk samples for the curriculum app's URL kwargs (merged into ``tests/access_samples.py``).

Every sample is a record of ``ctx.school``: a member of another school gets 404 however many capabilities
they hold. Keyed per URL (``URL_SAMPLES``) so no kwarg name of this app can collide with another app's.
"""

from __future__ import annotations

from safeguarding_portal.accounts import policy

from .access_samples import Sample, SampleContext


def _once(ctx: SampleContext, key: str, make) -> int:
    # Some tests build every URL against one context: a record with a unique name is made once.
    key = f"curriculum_{key}"
    if key not in ctx.shared:
        ctx.shared[key] = make()
    return ctx.shared[key].pk


def _someone(ctx: SampleContext):
    from . import factories_curriculum as f

    if "curriculum_member" not in ctx.shared:
        ctx.shared["curriculum_member"] = f.member(ctx.school, email="walk.trainee@oak.example")
    return ctx.shared["curriculum_member"]


def _person(ctx: SampleContext) -> int:
    return _someone(ctx).pk


def _certificate(ctx: SampleContext) -> int:
    from . import factories_curriculum as f

    return f.record(ctx.school, _someone(ctx), with_certificate=True).pk


def _briefing(ctx: SampleContext) -> int:
    import datetime

    from curriculum import services

    from . import factories_curriculum as f

    session = services.briefing_record(
        school=ctx.school,
        requirement=f.requirement(ctx.school, "annual_update"),
        title="Walk briefing",
        provider="DSL",
        delivered_on=datetime.date.today(),
        hours=1,
        attendee_ids=[_someone(ctx).pk],
        recorded_by=_someone(ctx),
    )
    return session.pk


def _requirement(ctx: SampleContext) -> int:
    from . import factories_curriculum as f

    return f.requirement(ctx.school, "induction").pk


def _unit(ctx: SampleContext) -> int:
    from . import factories_curriculum as f

    return _once(ctx, "unit", lambda: f.unit(ctx.school, title="Walk unit"))


def _gap(ctx: SampleContext) -> int:
    from . import factories_curriculum as f

    return _once(ctx, "gap", lambda: f.gap(ctx.school))


def _policy(ctx: SampleContext) -> int:
    from . import factories_curriculum as f

    return _once(ctx, "policy", lambda: f.policy(ctx.school, title="Walk policy", with_document=True))


KWARG_SAMPLES: dict[str, Sample] = {}

URL_SAMPLES: dict[str, dict[str, Sample]] = {
    # Someone else's record: only those who manage training may download its certificate.
    "curriculum:certificate": {
        "record_id": Sample(_certificate, school_object=True, visible_with_any=frozenset({policy.Cap.MANAGE_TRAINING})),
    },
    "curriculum:person": {"user_id": Sample(_person, school_object=True)},
    "curriculum:briefing": {"briefing_id": Sample(_briefing, school_object=True)},
    "curriculum:requirement_edit": {"requirement_id": Sample(_requirement, school_object=True)},
    "curriculum:unit_edit": {"unit_id": Sample(_unit, school_object=True)},
    "curriculum:gap": {"gap_id": Sample(_gap, school_object=True)},
    "curriculum:policy_edit": {"policy_id": Sample(_policy, school_object=True)},
    "curriculum:policy_document": {"policy_id": Sample(_policy, school_object=True)},
}


def _standard(ctx: SampleContext) -> int:
    """A training standard of the school's trust: the trust's, not a record of one school (both walk schools
    are in the trust), so anyone who manages training at a school of the trust may take it."""
    from django.utils import timezone

    from curriculum.models import TrustTrainingStandard

    return _once(
        ctx,
        "standard",
        lambda: TrustTrainingStandard.objects.get_or_create(
            trust=ctx.school.trust,
            name="Walk standard",
            defaults={"roles": ["staff"], "renew_months": 12, "published_at": timezone.now()},
        )[0],
    )


URL_SAMPLES["curriculum:standard_adopt"] = {"standard_id": Sample(_standard, school_object=False)}

"""Access-walk samples for the duty app's URL kwargs (merged into ``tests/access_samples.py``).

Every sample is a record of ``ctx.school``; keyed per URL so no kwarg name collides with another app's.
"""

from __future__ import annotations

from .access_samples import Sample, SampleContext

KWARG_SAMPLES: dict[str, Sample] = {}


def _dsl(ctx: SampleContext):
    from safeguarding_portal.accounts.policy import Role

    from .factories import MembershipFactory, UserFactory

    if "duty_dsl" not in ctx.shared:
        user = UserFactory(email=f"walk.duty{ctx.school.pk}@oak.example", full_name="Walk Duty")
        MembershipFactory(user=user, school=ctx.school, role=Role.DSL)
        ctx.shared["duty_dsl"] = user
    return ctx.shared["duty_dsl"]


def _swap(ctx: SampleContext) -> int:
    import datetime

    from django.utils import timezone

    from duty.models import Period, RotaSwap

    person = _dsl(ctx)
    day = timezone.localdate() + datetime.timedelta(days=30 + len(ctx.shared))
    return RotaSwap.objects.create(school=ctx.school, on=day, period=Period.OUT_OF_HOURS, person=person,
                                   reason="Walk", recorded_by=person, recorded_at=timezone.now()).pk


URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "duty:swap_cancel": {"swap_id": Sample(_swap, school_object=True)},
}

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
    return RotaSwap.objects.create(
        school=ctx.school,
        on=day,
        period=Period.OUT_OF_HOURS,
        person=person,
        reason="Walk",
        recorded_by=person,
        recorded_at=timezone.now(),
    ).pk


URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "duty:swap_cancel": {"swap_id": Sample(_swap, school_object=True)},
}


def _notification(ctx: SampleContext):
    import datetime

    from django.utils import timezone

    from duty import encompass

    from .factories import PupilFactory

    key = f"duty_notification_{ctx.school.pk}"
    if key not in ctx.shared:
        pupil = PupilFactory(school=ctx.school, legal_forename="Walkencompass", surname="Child")
        ctx.shared[key] = encompass.record(
            school=ctx.school,
            by=_dsl(ctx),
            notified_at=timezone.now() - datetime.timedelta(hours=1),
            incident_on=timezone.localdate() - datetime.timedelta(days=1),
            police_reference="WALK/1",
            officer_name="PC Walk",
            officer_contact="101",
            support="Key adult check-in",
            pupil_ids=[pupil.pk],
        )
    return ctx.shared[key]


def _notification_id(ctx: SampleContext) -> int:
    return _notification(ctx).pk


def _action_id(ctx: SampleContext) -> int:
    from duty import encompass

    notification = _notification(ctx)
    return encompass.ask_action(notification=notification, by=_dsl(ctx), assignee=_dsl(ctx), text="Walk check-in").pk


def _encompass_urls() -> dict[str, dict[str, Sample]]:
    from safeguarding_portal.accounts.policy import Cap

    by_id = {"notification_id": Sample(_notification_id, school_object=True)}
    return {
        "duty:encompass_detail": by_id,
        "duty:encompass_acknowledge": by_id,
        "duty:encompass_ask": by_id,
        # Asked of someone else: only the DSL team (or the person asked) may mark it done.
        "duty:action_done": {
            "action_id": Sample(_action_id, school_object=True, visible_with_any=frozenset({Cap.VIEW_ENCOMPASS}))
        },
    }


URL_SAMPLES |= _encompass_urls()


def _tool_id(ctx: SampleContext) -> int:
    from duty import ai

    key = f"duty_tool_{ctx.school.pk}"
    if key not in ctx.shared:
        ctx.shared[key] = ai.add_tool(
            school=ctx.school,
            by=_dsl(ctx),
            name="Walk AI",
            purpose="Walking",
            used_by="staff",
            data_seen="Prompts only",
        )
    return ctx.shared[key].pk


URL_SAMPLES |= {
    name: {"tool_id": Sample(_tool_id, school_object=True)}
    for name in ("duty:ai_tool", "duty:ai_tool_assess", "duty:ai_tool_decide")
}

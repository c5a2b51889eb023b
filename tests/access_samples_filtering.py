"""Access-walk samples for the filtering app's URL kwargs (merged into ``tests/access_samples.py``)."""

from __future__ import annotations

import datetime

from safeguarding_portal.accounts import policy

from .access_samples import Sample, SampleContext


def _requester(ctx: SampleContext):
    from safeguarding_portal.accounts.policy import Role

    from .factories import MembershipFactory, UserFactory

    user = ctx.shared.get("filter_requester")
    if user is None:
        user = UserFactory(email="walk.filter.requester@oak.example", full_name="Walk Requester")
        MembershipFactory(user=user, school=ctx.school, role=Role.STAFF)
        ctx.shared["filter_requester"] = user
    return user


def _change_id(ctx: SampleContext) -> int:
    """A request by someone else, awaiting approval: its page is for the filtering record's keepers."""
    from filtering import services

    if "filter_change" not in ctx.shared:
        ctx.shared["filter_change"] = services.change_request(
            school=ctx.school,
            requester=_requester(ctx),
            action="allow",
            target_kind="url",
            target="https://walk.example/lesson",
            scope="all_pupils",
            reason="Walk sample",
            needed_until=datetime.date.today() + datetime.timedelta(days=10),
        )
    return ctx.shared["filter_change"].pk


def _responsibility_id(ctx: SampleContext) -> int:
    from filtering import services

    return services.record_responsibility(
        school=ctx.school,
        by=_requester(ctx),
        role="it_provider",
        name="Walk IT Ltd",
        starts_on=datetime.date(2026, 1, 5),
    ).pk


def _check_id(ctx: SampleContext) -> int:
    from filtering import services

    from .factories_filtering import certificate

    return services.record_check(
        school=ctx.school,
        by=_requester(ctx),
        checked_on=datetime.date.today(),
        method="swgfl",
        device_type="school_computer",
        location="classroom",
        user_group="pupils",
        passed=True,
        what_was_tested="SWGfL Test Filtering",
        certificate=certificate(),
    ).pk


def _action_id(ctx: SampleContext) -> int:
    from filtering import services

    review = services.record_review(
        school=ctx.school,
        by=_requester(ctx),
        kind="annual",
        held_on=datetime.date.today(),
        findings="Walk",
        actions=[{"text": "Walk action", "owner": _requester(ctx), "due_on": datetime.date.today()}],
    )
    return review.actions.get().pk


def _entry_id(ctx: SampleContext) -> int:
    """A change in the vendor's log that no approved request explains."""
    from django.utils import timezone

    from filtering import vendor

    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    result = vendor.import_vendor_log(
        school=ctx.school,
        by=_requester(ctx),
        filename="walk.csv",
        mapping=vendor.Mapping(),
        data=f"timestamp,user,action,target\n{when},walk,Unblock site,walk.example\n".encode(),
    )
    return result.vendor_import.entries.get().pk


_RECORD = frozenset(policy.FILTER_RECORD_CAPS)

KWARG_SAMPLES: dict[str, Sample] = {
    "change_id": Sample(_change_id, school_object=True, visible_with_any=_RECORD),
    "responsibility_id": Sample(_responsibility_id, school_object=True),
    "check_id": Sample(_check_id, school_object=True),
    "action_id": Sample(_action_id, school_object=True),
    "entry_id": Sample(_entry_id, school_object=True),
}

URL_SAMPLES: dict[str, dict[str, Sample]] = {
    # Acting on a request: the URL's own capability implies seeing it.
    "filtering:assess": {"change_id": Sample(_change_id, school_object=True)},
    "filtering:decide": {"change_id": Sample(_change_id, school_object=True)},
    "filtering:apply": {"change_id": Sample(_change_id, school_object=True)},
    "filtering:revert": {"change_id": Sample(_change_id, school_object=True)},
}

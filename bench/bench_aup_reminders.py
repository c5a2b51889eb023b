"""The daily reminder sweep of agreements over a big trust: every school mid-campaign, nobody signed yet.

Builds (or reuses) a trust of N pupils in N/500 schools with a parent each, publishes each school's parents'
agreement and issues it to the whole school, with every email sent a week ago. Each timed run is one day's
sweep (``chase_unsigned``) on a day a reminder falls due for every parent (a week apart, starting after the
last day an earlier run swept), recording one reminder per parent and one "reminded" chain link per campaign;
the ``rerun`` variant sweeps the same day again and must record nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from aup import services
from aup.models import Audience, Campaign, Invitation
from aup.reminders import KIND, chase_unsigned
from safeguarding_portal.reminders.models import Reminder

from . import runner
from .generator import build_trust, schools_for

NAME = "aup_reminders"
DESCRIPTION = "Daily sweep chasing unsigned parents' agreements over N pupils in N/500 schools (one parent each)"
DEFAULT_SCALE = 250_000
DEFAULT_REPEAT = 3


def _campaigns(data, *, closes_on: datetime.date) -> list[int]:
    school_ids = data.school_ids()
    existing = list(
        Campaign.objects.filter(school_id__in=school_ids, title="Bench reminders").values_list("pk", flat=True)
    )
    if len(existing) == len(school_ids):
        return existing
    head = data.persona("headteacher", 0)
    made = []
    with override_settings(DEBUG=False):
        for n, school in enumerate(data.trust.schools.order_by("pk")):
            if Campaign.objects.filter(school=school, title="Bench reminders").exists():
                continue
            agreement = services.ensure_agreement(school=school, audience=Audience.PARENT)
            version = agreement.current_version or services.publish(version=agreement.draft, by=head)
            campaign = services.create_campaign(
                school=school,
                version=version,
                scope="school",
                notify=False,
                by=head,
                closes_on=closes_on,
                title="Bench reminders",
            )
            made.append(campaign.pk)
            if n % 50 == 0:
                runner.progress(f"  campaigns: {n + 1} schools")
    ids = list(Campaign.objects.filter(school_id__in=school_ids, title="Bench reminders").values_list("pk", flat=True))
    with transaction.atomic():
        Invitation.objects.filter(campaign_id__in=ids).update(sent_at=timezone.now() - datetime.timedelta(days=7))
    return ids


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_trust(schools=schools_for(scale), pupils=scale, progress=runner.progress)
    today = timezone.localdate()
    ids = _campaigns(data, closes_on=today + datetime.timedelta(days=7 * (repeat + 3)))
    # A reused database has had its reminders for earlier bench days: start a week after the last of them,
    # so every timed day really records one reminder per parent.
    last = Reminder.objects.filter(kind=KIND, school_id__in=data.school_ids()).order_by("-on").first()
    first_day = last.on + datetime.timedelta(days=7) if last else today
    with transaction.atomic():
        Campaign.objects.filter(pk__in=ids).update(closes_on=first_day + datetime.timedelta(days=7 * (repeat + 3)))
    runner.progress(f"{len(ids)} campaigns open; first day swept {first_day}")
    days = iter(first_day + datetime.timedelta(days=7 * k) for k in range(repeat + 2))
    recorded: list[int] = []
    last_day: list[datetime.date] = []

    def sweep() -> None:
        day = next(days)
        last_day[:] = [day]
        with override_settings(DEBUG=False):
            recorded.append(chase_unsigned(today=day))

    timing = runner.time_calls(sweep, repeat=repeat, warmup=0)
    if min(recorded) < scale:
        raise RuntimeError(f"a timed day recorded fewer reminders than parents: {recorded}")
    runner.progress(
        f"aup_reminders: {recorded} reminders a day; median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms"
    )
    queries = runner.count_queries(sweep)
    lines = [
        runner.result(
            bench=NAME,
            scale=scale,
            timing=timing,
            queries=queries,
            variant="sweep",
            schools=data.schools,
            reminders_per_day=recorded[0],
            target_ms=30_000,
        )
    ]

    def rerun() -> None:
        with override_settings(DEBUG=False):
            recorded.append(chase_unsigned(today=last_day[0]))

    again = runner.time_calls(rerun, repeat=1, warmup=0)
    runner.progress(f"aup_reminders rerun the same day: recorded {recorded[-1]} in {again.median_ms:.0f} ms")
    lines.append(
        runner.result(bench=NAME, scale=scale, timing=again, queries=0, variant="rerun", recorded_again=recorded[-1])
    )
    return lines

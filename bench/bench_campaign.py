"""A parents' campaign for a whole school: every request and invitation created and the emails queued.

The timed part is what the office waits for after "Issue and send": the requests (one per parent and
child), the invitations (one per parent, each with its link's hash) and the outbox message that hands the
sending to a worker. The worker's part (one email per parent and its "sent" event) is measured apart as
the ``send`` variant, with Django's in-memory email backend standing in for the mail server.
"""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

from django.core import mail
from django.test.utils import override_settings
from django.utils import timezone

from aup import services
from aup.models import Invitation, SigningRequest
from safeguarding_portal.outbox.models import OutboxMessage

from . import runner
from .aup_data import build_families, publish_parents_agreement

NAME = "campaign"
DESCRIPTION = "Issue the parents' agreement to a school of N pupils (~1.5 parents each): requests, links, queue"
DEFAULT_SCALE = 2000
DEFAULT_REPEAT = 5


def run(*, scale: int, repeat: int) -> list[dict[str, Any]]:
    data = build_families(schools=1, pupils=scale, label="aup", progress=runner.progress)
    school = data.school(0)
    head = data.persona("headteacher", 0)
    version = publish_parents_agreement(school, by=head)
    closes = timezone.localdate() + datetime.timedelta(days=21)
    made: list[int] = []

    def issue() -> None:
        # The broker hand-off is the outbox row (sent after commit by the web process or the drain); with
        # tasks eager in a bench process it would run the whole send inline, so only the row is timed here.
        with override_settings(DEBUG=False), mock.patch("safeguarding_portal.outbox.services.dispatch"):
            campaign = services.create_campaign(
                school=school, version=version, scope="school", closes_on=closes, by=head
            )
        made.append(campaign.pk)

    queries = runner.count_queries(issue)
    timing = runner.time_calls(issue, repeat=repeat, warmup=0)
    last = made[-1]
    invitations = Invitation.objects.filter(campaign_id=last).count()
    requests = SigningRequest.objects.filter(campaign_id=last).count()
    queued = OutboxMessage.objects.filter(task_name="aup.send_invitations", kwargs__campaign_id=last).count()
    runner.progress(
        f"campaign: {invitations} parents, {requests} requests, {queued} queued message: "
        f"median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, {queries} queries"
    )
    lines = [
        runner.result(
            bench=NAME,
            scale=scale,
            timing=timing,
            queries=queries,
            variant="issue",
            parents=invitations,
            requests=requests,
            target_ms=5000,
        )
    ]

    pending = list(made)

    def send() -> None:
        with override_settings(DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            services.send_invitations(campaign_id=pending.pop())

        mail.outbox = []

    send_queries = runner.count_queries(send)
    send_timing = runner.time_calls(send, repeat=min(repeat, len(pending)), warmup=0)
    runner.progress(f"campaign send (worker): median {send_timing.median_ms:.0f} ms for {invitations} emails")
    lines.append(
        runner.result(
            bench=NAME, scale=scale, timing=send_timing, queries=send_queries, variant="send", parents=invitations
        )
    )
    return lines

"""Access-walk samples for the monitoring app's URL kwargs (merged into ``tests/access_samples.py``).

Every sample is a record of ``ctx.school``: a member of another school gets 404 however many capabilities
they hold. Keyed per URL so no kwarg name of this app collides with another app's.
"""

from __future__ import annotations

from .access_samples import Sample, SampleContext


def _alert(ctx: SampleContext) -> int:
    from . import factories_monitoring as f

    return f.alert(ctx.school, page=False, rule="Walk sample").pk


def _alert_by_email(ctx: SampleContext) -> int:
    """An alert that came by email, so its original message can be downloaded."""
    import hashlib

    from django.utils import timezone

    from monitoring import services
    from monitoring.models import Channel, InboundMessage

    from . import factories_monitoring as f

    raw = b"From: alerts@vendor.example\r\nSubject: Alert\r\n\r\nWalk sample\r\n"
    message = InboundMessage.objects.create(
        school=ctx.school,
        received_at=timezone.now(),
        mail_from="alerts@vendor.example",
        rcpt_to="alerts@portal.example",
        subject="Alert",
        vendor="smoothwall",
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    result = services.alert_receive(
        school=ctx.school, incoming=[f.incoming(rule="Walk email")], channel=Channel.EMAIL, message=message, page=False
    )
    return result.alerts[0].pk


def _alert_with_screenshot(ctx: SampleContext) -> int:
    from . import factories_monitoring as f

    return f.alert(ctx.school, page=False, rule="Walk shot", screenshot=b"\x89PNG\r\n\x1a\n" + b"0" * 32).pk


def _endpoint(ctx: SampleContext) -> int:
    from monitoring import webhook

    from .factories import UserFactory

    by = ctx.shared.setdefault("monitoring_by", UserFactory(email="walk.monitoring@oak.example"))
    endpoint, _ = webhook.webhook_create(school=ctx.school, vendor="senso", by=by)
    return endpoint.pk


def _token(ctx: SampleContext) -> str:
    from monitoring import webhook

    from .factories import UserFactory

    by = ctx.shared.setdefault("monitoring_by", UserFactory(email="walk.monitoring@oak.example"))
    endpoint, _ = webhook.webhook_create(school=ctx.school, vendor="impero", by=by)
    return endpoint.token


_ALERT = Sample(_alert, school_object=True)

KWARG_SAMPLES: dict[str, Sample] = {}

URL_SAMPLES: dict[str, dict[str, Sample]] = {
    "monitoring:alert": {"alert_id": _ALERT},
    "monitoring:alert_close": {"alert_id": _ALERT},
    "monitoring:alert_escalate": {"alert_id": _ALERT},
    "monitoring:alert_screenshot": {"alert_id": Sample(_alert_with_screenshot, school_object=True)},
    "monitoring:message": {"alert_id": Sample(_alert_by_email, school_object=True)},
    "monitoring:webhook_revoke": {"endpoint_id": Sample(_endpoint, school_object=True)},
    # Public: an unsigned post is refused with 401 (never 403 or 404), whoever sends it.
    "monitoring:webhook_receive": {"token": Sample(_token, school_object=False)},
}

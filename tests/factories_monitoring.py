"""Monitoring alerts for tests, made through the one way in (``services.alert_receive``)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from monitoring import services
from monitoring.models import Channel, MonitoringAlert

_ids = itertools.count(1)


def incoming(**kwargs) -> services.IncomingAlert:
    values = {
        "vendor": "smoothwall",
        "rule": "Bullying",
        "severity": "high",
        "vendor_severity": "4",
        "activity_at": timezone.now() - datetime.timedelta(minutes=5),
        "username": "",
        "device": "LAPTOP-07",
        "captured_text": "you are so stupid",
        "external_id": f"T-{next(_ids)}",
    }
    values.update(kwargs)
    return services.IncomingAlert(**values)


def alert(school, *, channel: str = Channel.WEBHOOK, page: bool = True, **kwargs) -> MonitoringAlert:
    result = services.alert_receive(school=school, incoming=[incoming(**kwargs)], channel=channel, page=page)
    return result.alerts[0]

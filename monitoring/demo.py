"""Demo monitoring alerts at Oakfield: a week of alerts from Smoothwall Monitor (a CSV export), Senso (the
webhook) and Impero (a forwarded email), one critical alert waiting, repeats folded, one unknown user name,
some closed as no further action or false positive and one escalated to a case; a webhook and an email
address for the technician's page.

Idempotent: built once; a second run finds Oakfield's alerts and reports what is there.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from safeguarding_portal.core import plugins

from . import mail, services, webhook
from .models import Channel, MailAddress, MonitoringAlert, Severity, WebhookEndpoint

# (hours ago, vendor, rule, severity, vendor level, pupil index or a user name, device, captured text)
PLAN = (
    (150, "smoothwall", "Bullying", "high", "4", 0, "LAPTOP-12", "nobody likes you, just leave"),
    (149.5, "smoothwall", "Bullying", "high", "4", 0, "LAPTOP-12", "seriously leave"),
    (120, "senso", "Adult content", "medium", "Medium", 1, "CHROMEBOOK-3", "searched: adult videos"),
    (96, "impero", "Weapons", "medium", "3", 2, "SUITE-B-07", "how to make a knife sharper"),
    (72, "smoothwall", "Gambling", "low", "2", 3, "LAPTOP-02", "free spins no deposit"),
    (50, "senso", "Radicalisation", "high", "High", "gamer_x99", "CHROMEBOOK-9", "join the movement"),
    (30, "smoothwall", "Profanity", "low", "1", 4, "LAPTOP-05", "a swear word in a chat"),
    (6, "senso", "Grooming", "high", "High", 5, "CHROMEBOOK-1", "dont tell your mum we talk"),
    (0.5, "smoothwall", "Suicide and self-harm", "critical", "5", 6, "LAPTOP-08", "i want to end it all tonight"),
)


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    users = demo.users
    if not MonitoringAlert.objects.filter(school=school).exists():
        with transaction.atomic():
            pupils = list(school.pupils.on_roll().order_by("pk")[:8])
            now = timezone.now()
            made = []
            for n, (hours, vendor, rule, severity, level, who, device, text) in enumerate(PLAN):
                pupil = pupils[who % len(pupils)] if isinstance(who, int) and pupils else None
                if pupil is not None and not pupil.network_username:
                    pupil.network_username = f"{pupil.legal_forename[:1]}{pupil.surname}{pupil.pk}".lower()
                    pupil.save(update_fields=["network_username"])
                at = now - datetime.timedelta(hours=hours)
                received = services.alert_receive(
                    school=school,
                    channel=[Channel.CSV, Channel.WEBHOOK, Channel.EMAIL][n % 3],
                    received_at=at,
                    page=severity == Severity.CRITICAL,
                    incoming=[
                        services.IncomingAlert(
                            vendor=vendor,
                            rule=rule,
                            severity=severity,
                            vendor_severity=level,
                            activity_at=at,
                            username=pupil.network_username if pupil else str(who),
                            device=device,
                            captured_text=text,
                            external_id=f"DEMO-{n}",
                        )
                    ],
                )
                made.extend(received.created)
            dsl = users["dsl"]
            by_rule = {a.rule: a for a in made}
            services.alert_close(
                alert=by_rule["Profanity"],
                by=dsl,
                outcome="nfa",
                reason="Spoke to the pupil about language online; nothing more needed",
                at=now - datetime.timedelta(hours=29),
            )
            services.alert_close(
                alert=by_rule["Weapons"],
                by=dsl,
                outcome="false_positive",
                reason="Design and technology homework on kitchen tools",
                at=now - datetime.timedelta(hours=95),
            )
            services.alert_escalate(
                alert=by_rule["Grooming"],
                by=dsl,
                category="sexual_abuse_exploitation",
                note="Contact from an adult online; parents to be called today",
                at=now - datetime.timedelta(hours=5),
            )
            services.alert_pick_up(alert=by_rule["Gambling"], by=users["deputy"], at=now - datetime.timedelta(hours=70))
            if not WebhookEndpoint.objects.filter(school=school).exists():
                webhook.webhook_create(school=school, vendor="senso", by=users["tech"])
            if not MailAddress.objects.filter(school=school).exists():
                mail.address_create(school=school, vendor="impero", by=users["tech"])
    alerts = MonitoringAlert.objects.filter(school=school)
    return [
        f"Monitoring alerts at Oakfield: {alerts.count()} ({alerts.filter(state__in=['new', 'reviewed']).count()} "
        f"open, {alerts.filter(severity='critical', picked_up_at__isnull=True).count()} critical waiting), "
        "in the DSL's queue at /monitoring/queue/;"
    ]


plugins.register("demo", "monitoring", seed, order=60)

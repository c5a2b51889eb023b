"""A critical alert emails the DSL team at once, through the outbox, with no sensitive content; if nobody
picks it up in time it goes again, once, to the team and the head; a picked-up one does not."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from duty import services as duty_services
from monitoring import paging, services
from monitoring.models import Page
from safeguarding_portal.outbox.models import EmailDelivery

from . import clock
from . import factories_monitoring as f
from .factories import PupilFactory
from .factories_duty import every_weekday, weekly_rota

pytestmark = pytest.mark.django_db


def test_a_critical_alert_pages_the_team_with_no_content(school, dsl, deputy, head, django_capture_on_commit_callbacks):
    PupilFactory(school=school, network_username="kid1", legal_forename="Zebedee")
    with django_capture_on_commit_callbacks(execute=True):
        alert = f.alert(
            school,
            username="kid1",
            severity="critical",
            rule="Suicide and self-harm",
            captured_text="i am going to end it tonight",
        )
    page = Page.objects.get(alert=alert)
    assert page.kind == "critical" and sorted(page.recipients) == sorted([dsl.email, deputy.email])
    delivery = EmailDelivery.objects.get()
    assert delivery.urgent and delivery.kind == "alert" and delivery.reference == alert.reference
    sent = mail.outbox[0]
    assert sent.subject.startswith("URGENT") and alert.reference in sent.body
    for secret in ("Zebedee", "kid1", "end it tonight", "self-harm", "Suicide"):
        assert secret not in sent.subject and secret not in sent.body


def test_a_high_alert_pages_nobody(school, dsl):
    f.alert(school, severity="high")
    assert not Page.objects.exists() and not EmailDelivery.objects.exists()


def test_not_picked_up_in_time_it_goes_again_once_with_the_head(
    school, dsl, deputy, head, django_capture_on_commit_callbacks
):
    alert = f.alert(school, severity="critical")
    later = timezone.now() + datetime.timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        assert paging.resend_sweep(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
        mail.outbox.clear()
        assert paging.resend_sweep(now=later) == 1
        assert paging.resend_sweep(now=later) == 0
    resend = Page.objects.get(alert=alert, kind="resend")
    assert sorted(resend.recipients) == sorted([dsl.email, deputy.email, head.email])
    assert len(mail.outbox) == 1 and "Nobody has picked this up" in mail.outbox[0].body


def test_a_picked_up_critical_alert_is_not_sent_again(school, dsl):
    alert = f.alert(school, severity="critical")
    services.alert_pick_up(alert=alert, by=dsl)
    assert paging.resend_sweep(now=timezone.now() + datetime.timedelta(hours=1)) == 0


def test_a_repeat_that_raises_an_alert_to_critical_pages_once(school, dsl):
    start = timezone.now() - datetime.timedelta(minutes=30)
    first = f.alert(school, username="kid9", severity="medium", activity_at=start)
    f.alert(school, username="kid9", severity="critical", activity_at=start + datetime.timedelta(minutes=5))
    f.alert(school, username="kid9", severity="critical", activity_at=start + datetime.timedelta(minutes=6))
    assert list(Page.objects.values_list("alert_id", "kind")) == [(first.pk, "critical")]


@clock.frozen("2026-11-23 10:00")
def test_with_a_rota_the_dsl_on_duty_is_paged_first_then_the_rest_of_the_team_then_the_head(
    school, dsl, deputy, head, django_capture_on_commit_callbacks
):
    # Part 4 of issue 15: critical alerts follow the school's chain, as urgent reports do, each step once.
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    duty_services.save_settings(
        school=school,
        by=dsl,
        day_starts=datetime.time(8),
        day_ends=datetime.time(17),
        out_of_hours_cover=False,
        team_after_minutes=5,
        head_after_minutes=12,
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert = f.alert(school, severity="critical")
    assert Page.objects.get(alert=alert, kind="critical").recipients == [deputy.email]
    assert mail.outbox[-1].to == [deputy.email]

    def sweep(minutes: int) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return paging.resend_sweep(now=alert.received_at + datetime.timedelta(minutes=minutes))

    mail.outbox.clear()
    assert sweep(4) == 0
    assert sweep(6) == 1 and sweep(7) == 0
    assert Page.objects.get(alert=alert, kind="team").recipients == [dsl.email]
    assert mail.outbox[-1].to == [dsl.email] and "on duty has not picked this up" in mail.outbox[-1].body

    assert sweep(13) == 1 and sweep(14) == 0
    assert sorted(Page.objects.get(alert=alert, kind="resend").recipients) == sorted(
        [dsl.email, deputy.email, head.email]
    )
    assert len(mail.outbox) == 2 and "Nobody has picked this up" in mail.outbox[-1].body


@clock.frozen("2026-11-23 10:00")
def test_picked_up_by_the_person_on_duty_it_goes_no_further(school, dsl, deputy, head):
    weekly_rota(school, by=dsl, school_day=every_weekday(deputy))
    alert = f.alert(school, severity="critical")
    services.alert_pick_up(alert=alert, by=deputy)
    assert paging.resend_sweep(now=alert.received_at + datetime.timedelta(hours=2)) == 0
    assert set(Page.objects.filter(alert=alert).values_list("kind", flat=True)) == {"critical"}

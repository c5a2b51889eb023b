"""Alerts are matched to pupils by user name or school email (or a name the DSL matched once); repeats of
a rule for the same pupil in the window are one alert with a count; suspected indecent imagery is never
stored; alerts and their events are append-only and hash-chained."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.models import AlertEvent, Channel, MonitoringAlert
from safeguarding_portal.audit.chain import AppendOnlyError

from . import factories_monitoring as f
from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def test_matched_by_user_name_or_school_email(school):
    pupil = PupilFactory(school=school, network_username="amy.b", school_email="amy.b@oak.example")
    by_name = f.alert(school, username="AMY.B")
    by_email = f.alert(school, user_email="Amy.B@oak.example", rule="Other rule")
    assert by_name.pupil == pupil and by_email.pupil == pupil


def test_an_unknown_name_is_matched_once_and_later_alerts_follow(school, dsl, signed_in):
    pupil = PupilFactory(school=school)
    waiting = f.alert(school, username="xbox_kid")
    assert waiting.pupil is None
    response = signed_in(dsl).post(reverse("monitoring:usernames"), {"username": "Xbox_Kid", "pupil": pupil.pk})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.pupil == pupil
    assert AlertEvent.objects.filter(alert=waiting, kind="pupil_matched").exists()
    assert f.alert(school, username="xbox_kid", rule="Gaming").pupil == pupil


def test_repeats_within_the_window_fold_into_one_alert_with_a_count(school):
    pupil = PupilFactory(school=school, network_username="sam")
    start = timezone.now() - datetime.timedelta(hours=3)
    first = f.alert(school, username="sam", activity_at=start)
    f.alert(school, username="sam", activity_at=start + datetime.timedelta(minutes=20), captured_text="again")
    f.alert(school, username="sam", activity_at=start + datetime.timedelta(minutes=50), severity="critical", page=False)
    later = f.alert(school, username="sam", activity_at=start + datetime.timedelta(minutes=200))
    other_rule = f.alert(school, username="sam", rule="Gambling", activity_at=start + datetime.timedelta(minutes=21))
    first.refresh_from_db()
    assert first.repeat_count == 3 and first.severity == "critical"
    assert later.pk != first.pk and other_rule.pk != first.pk
    assert MonitoringAlert.objects.filter(pupil=pupil).count() == 3
    repeats = AlertEvent.objects.filter(alert=first, kind="repeated")
    assert next(e.text for e in repeats) == "again"


def test_suspected_indecent_imagery_keeps_only_the_metadata(school, dsl, signed_in):
    shot = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    by_rule = f.alert(school, rule="Indecent images (IIOC)", captured_text="description", screenshot=shot)
    by_flag = f.alert(school, rule="Adult content", suspected_imagery=True, screenshot=shot, captured_text="x")
    for alert in (by_rule, by_flag):
        alert.refresh_from_db()
        assert alert.imagery_withheld and alert.captured_text == "" and not alert.screenshot
    kept = f.alert(school, rule="Bullying", screenshot=shot)
    assert kept.screenshot and not kept.imagery_withheld
    page = signed_in(dsl).get(reverse("monitoring:alert", args=[by_rule.pk]))
    assert b'data-testid="imagery-withheld"' in page.content
    assert services.IMAGERY_WITHHELD.split(",")[0].encode() in page.content
    assert b"vendor&#x27;s console" in page.content


def test_the_same_vendor_id_twice_is_one_alert(school):
    one = f.alert(school, external_id="SW-77")
    two = f.alert(school, external_id="SW-77", captured_text="changed")
    assert one.pk == two.pk and MonitoringAlert.objects.count() == 1


def test_a_repeat_sent_again_with_its_vendor_id_is_not_counted_twice(school):
    # A vendor retrying a delivery (or an export uploaded again) repeats ids that were folded in, not only
    # ids that became alerts: each is one activity, counted once.
    PupilFactory(school=school, network_username="sam")
    start = timezone.now() - datetime.timedelta(hours=1)
    first = f.alert(school, username="sam", activity_at=start, external_id="SW-1")
    repeat = {"username": "sam", "activity_at": start + datetime.timedelta(minutes=10), "external_id": "SW-2"}
    f.alert(school, **repeat)
    again = services.alert_receive(school=school, incoming=[f.incoming(**repeat)], channel=Channel.WEBHOOK)
    first.refresh_from_db()
    assert first.repeat_count == 2 and MonitoringAlert.objects.count() == 1
    assert AlertEvent.objects.filter(alert=first, kind="repeated").count() == 1
    assert [a.pk for a in again.duplicates] == [first.pk] and not again.folded


def test_alerts_and_events_refuse_changes_and_the_chain_verifies(school):
    alert = f.alert(school)
    alert.captured_text = "rewritten"
    with pytest.raises(AppendOnlyError):
        alert.save()
    with pytest.raises(AppendOnlyError):
        alert.delete()
    with pytest.raises(AppendOnlyError):
        AlertEvent.objects.filter(alert=alert).update(text="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_monitoringalert SET captured_text = 'x' WHERE id = %s", [alert.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_alertevent SET text = 'x' WHERE alert_id = %s", [alert.pk])
    call_command("verify_chains")  # raises CommandError on any broken chain


def test_a_batch_costs_the_same_queries_for_ten_or_a_hundred_alerts(school, django_assert_max_num_queries):
    PupilFactory(school=school, network_username="p1")

    def batch(n, prefix):
        return [f.incoming(username=f"p{i % 5}", rule=f"Rule {i}", external_id=f"{prefix}-{i}") for i in range(n)]

    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as ten:
        services.alert_receive(school=school, incoming=batch(10, "a"), channel=Channel.CSV, page=False)
    with CaptureQueriesContext(conn) as hundred:
        services.alert_receive(school=school, incoming=batch(100, "b"), channel=Channel.CSV, page=False)
    assert len(hundred) <= len(ten) + 2


def test_verify_chains_names_an_alert_whose_state_was_changed_behind_the_events(school, dsl):
    from django.core.management.base import CommandError

    alert = f.alert(school, page=False)
    services.alert_close(alert=alert, by=dsl, outcome="nfa", reason="Looked at it; nothing more to do")
    call_command("verify_chains")
    MonitoringAlert.objects.filter(pk=alert.pk).update(state="new", outcome="", decided_at=None)
    with pytest.raises(CommandError, match="do not match their chain"):
        call_command("verify_chains")

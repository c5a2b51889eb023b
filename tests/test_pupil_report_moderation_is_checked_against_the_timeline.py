"""A pupil-raised report's moderation state (to check, accepted, dismissed) is a column the pages and every figure
read (a dismissed report is not counted as a concern), so, like a case's status, ``verify_chains`` rebuilds it
from the hash-chained timeline (its MODERATED entry) and names a case whose column says otherwise."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from incidents import pupil_reports
from incidents.models import Incident, Moderation

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db


def _tell(client, school) -> Incident:
    before = set(Incident.objects.values_list("pk", flat=True))
    client.post(tell_url(school), pupil_payload(still_happening="no"))
    return Incident.objects.exclude(pk__in=before).get()


def _verify(capsys) -> str:
    with pytest.raises(CommandError, match="do not match"):
        call_command("verify_chains")
    return capsys.readouterr().err


def test_moderation_as_the_timeline_says_verifies(client, school, dsl, capsys):
    _tell(client, school)  # still to check
    pupil_reports.pupil_report_accept(incident=_tell(client, school), by=dsl, category="cyberbullying")
    pupil_reports.pupil_report_dismiss(incident=_tell(client, school), by=dsl, reason_kind="spam", reason="A joke")

    call_command("verify_chains")

    assert "case status, sharing and moderation: as the timelines say" in capsys.readouterr().out


def test_a_pending_report_marked_dismissed_in_the_database_is_reported(client, school, dsl, capsys):
    # Dismissed in the column only: it would drop out of every concern figure with no decision on its timeline.
    report = _tell(client, school)
    Incident.objects.filter(pk=report.pk).update(moderation=Moderation.DISMISSED)

    err = _verify(capsys)

    assert report.reference in err and "moderation" in err and "dismissed" in err and "pending" in err


def test_a_dismissed_report_marked_accepted_in_the_database_is_reported(client, school, dsl, capsys):
    report = _tell(client, school)
    pupil_reports.pupil_report_dismiss(incident=report, by=dsl, reason_kind="abuse", reason="Malicious")
    Incident.objects.filter(pk=report.pk).update(moderation=Moderation.ACCEPTED)

    err = _verify(capsys)

    assert report.reference in err and "moderation" in err and "accepted" in err

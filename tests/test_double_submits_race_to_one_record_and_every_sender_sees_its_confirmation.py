"""Ten posts of one report, or sixteen of one signing link, at the same moment: one record, and every sender,
winner or loser of the race, is sent to the same confirmation page (never a 500, never the form again).

The concurrent tests need PostgreSQL's row locks and run in CI's stage 2; the logic they rely on (a loser
finds the winner's record) is tested on SQLite too, by making the race happen deterministically."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from aup import services as aup_services
from aup.models import Invitation, Signature
from incidents import services as incident_services
from incidents.models import Incident

from . import factories_aup as f
from .concurrency import at_once
from .conftest import sign_in
from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (CI's stage 2); SQLite serialises writers")


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_posts_of_one_report_make_one_concern_and_ten_identical_redirects(school, staff, dsl):
    _needs_postgresql()
    signed = sign_in(Client(), staff)
    payload = report_payload()

    def post():
        client = Client()
        client.cookies = signed.cookies
        response = client.post(reverse("incidents:report"), payload)
        return response.status_code, response.get("Location")

    answers = at_once(post, times=10)

    incident = Incident.objects.get()
    assert answers == [(302, reverse("incidents:reported", args=[incident.reference]))] * 10
    assert incident.number == 1  # the losers' rolled-back attempts left no gap in the numbering


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_signings_of_one_link_sign_once_and_all_see_the_confirmation(school):
    _needs_postgresql()
    fam = f.family(school, children=2)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[aup_services.signing_token(invitation)])
    data = f.sign_form(invitation)
    confirmation = f"{reverse('aup:signed', args=[aup_services.manage_token(invitation)])}?done=1"

    def post():
        response = Client().post(url, data)
        return response.status_code, response.get("Location")

    answers = at_once(post, times=16)

    assert answers == [(302, confirmation)] * 16
    assert Signature.objects.filter(request__invitation=invitation).count() == 2


def test_a_report_that_loses_the_race_at_the_insert_returns_the_winners_concern(school, staff, dsl, monkeypatch):
    """The loser checked the token before the winner committed, so it meets the winner at the unique token."""
    token = report_payload()["submission_token"]
    winner = _report(school, staff, token)
    monkeypatch.setattr(incident_services, "_token_seen_before", lambda **kwargs: None)  # the check came too early

    loser = _report(school, staff, token)

    assert loser.pk == winner.pk and Incident.objects.count() == 1


def test_a_report_that_loses_the_race_to_someone_elses_token_is_refused_not_merged(
    school, staff, dsl, deputy, monkeypatch
):
    from django.core.exceptions import ValidationError

    token = report_payload()["submission_token"]
    _report(school, staff, token)
    monkeypatch.setattr(incident_services, "_token_seen_before", lambda **kwargs: None)
    with pytest.raises(ValidationError):
        _report(school, deputy, token)


def test_a_signing_that_loses_the_race_sees_the_winners_signature(school):
    """The loser loaded the link before the winner signed; once it gets the lock it finds nothing pending, and
    learns the link was used, so the page sends it to the confirmation instead of showing the form again."""
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    loaded_before_the_winner_signed = Invitation.objects.get(pk=invitation.pk)
    f.sign_invitation(invitation)

    assert f.sign_invitation(loaded_before_the_winner_signed) == []
    assert loaded_before_the_winner_signed.used_at is not None


def test_a_second_post_after_signing_lands_on_the_same_confirmation(client, school):
    fam = f.family(school, children=1)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[aup_services.signing_token(invitation)])
    first = client.post(url, f.sign_form(invitation))
    second = client.post(url, f.sign_form(invitation))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert "done=1" in second["Location"]


def _report(school, reporter, token):
    import uuid

    from django.utils import timezone

    return incident_services.incident_report(
        school=school,
        reporter=reporter,
        occurred_at=timezone.now(),
        location="on_site",
        category="cyberbullying",
        description="Unkind messages in a group chat.",
        device="personal",
        immediate_risk=False,
        submission_token=uuid.UUID(token),
        notify=False,
    )

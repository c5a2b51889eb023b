"""The few columns the pages read instead of the chain (a case's status and whether it was shared with the DSL team,
a child's current photo consents, a signing request's state) are checked against the chain by ``verify_chains``,
so changing one directly in the database, where the triggers allow it, no longer goes unnoticed. Who may open an
allegation is read from the chain itself: ticking ``shared_with_dsl_team`` in the database shows it to nobody."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from aup import services as aup_services
from aup.models import Consent, RequestStatus, SigningRequest
from incidents import services
from incidents.categories import Category
from incidents.models import Incident, Status

from . import factories_aup as fa
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _verify(capsys) -> str:
    with pytest.raises(CommandError, match="do not match"):
        call_command("verify_chains")
    return capsys.readouterr().err


def test_an_intact_database_verifies_including_the_state_pages_read(school, staff, dsl, head, osl, capsys):
    allegation = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    services.case_share_with_dsl_team(incident=allegation, by=head, reason="Support")
    services.case_transition(incident=allegation, to=Status.IN_PROGRESS, by=head)
    fam = fa.family(school)
    invitation = fa.invitation_of(fa.campaign(school, notify=False), fam.guardian)
    signature = fa.sign_invitation(invitation)[0]
    aup_services.change_consent(signature=signature, key="website", given=False, actor="Hannah Morgan")

    call_command("verify_chains")

    out = capsys.readouterr().out
    assert "case status, sharing and moderation: as the timelines say" in out
    assert "photo consents and signing requests: as the signatures say" in out


def test_sharing_an_allegation_in_the_database_shows_it_to_nobody_and_is_reported(
    client, signed_in, school, staff, dsl, osl, capsys
):
    allegation = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    Incident.objects.filter(pk=allegation.pk).update(shared_with_dsl_team=True)

    signed_in(dsl)
    assert client.get(reverse("incidents:case", args=[allegation.reference])).status_code == 404
    assert allegation.reference.encode() not in client.get(reverse("incidents:dashboard")).content
    err = _verify(capsys)
    assert allegation.reference in err and "shared_with_dsl_team" in err


def test_a_case_status_changed_in_the_database_is_reported(school, staff, head, osl, capsys):
    allegation = make_case(school=school, reporter=osl, category=Category.STAFF_CONDUCT, subject_staff=staff)
    services.case_transition(incident=allegation, to=Status.IN_PROGRESS, by=head)
    Incident.objects.filter(pk=allegation.pk).update(status=Status.REPORTED)

    err = _verify(capsys)

    assert allegation.reference in err and "status" in err and "in_progress" in err


def test_a_photo_consent_changed_in_the_database_is_reported(school, capsys):
    fam = fa.family(school)
    invitation = fa.invitation_of(fa.campaign(school, notify=False), fam.guardian)
    oliver = fam.children[0]
    signature = next(s for s in fa.sign_invitation(invitation) if s.pupil_id == oliver.pk)
    # The parent withdrew consent for the press; someone makes it a yes again.
    aup_services.change_consent(signature=signature, key="press", given=False, actor="Hannah Morgan")
    Consent.objects.filter(pupil=oliver, key="press").update(given=True)

    err = _verify(capsys)

    assert f"pupil {oliver.pk}" in err and "press" in err


def test_a_signing_request_marked_signed_in_the_database_is_reported(school, capsys):
    fam = fa.family(school)
    campaign = fa.campaign(school, notify=False)
    request = SigningRequest.objects.filter(campaign=campaign, guardian=fam.guardian).first()
    SigningRequest.objects.filter(pk=request.pk).update(status=RequestStatus.SIGNED)

    err = _verify(capsys)

    assert f"signing request {request.pk}" in err and "signed" in err

"""A campaign reaches a whole school, a year group, a class, pupils who joined since a date, staff or governors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aup.models import Audience, Campaign, Invitation, SigningRequest

from . import factories_aup as f
from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory

pytestmark = pytest.mark.django_db


def _child(school, year, klass, joined=None, email=None, responsibility=True):
    pupil = PupilFactory(school=school, year_group=year, registration_group=klass, joined_on=joined)
    guardian = GuardianFactory(school=school, email=email or f"{pupil.upn.lower()}@home.example")
    PupilGuardianFactory(pupil=pupil, guardian=guardian, has_parental_responsibility=responsibility)
    return pupil


def test_each_scope_picks_its_children(school, other_school):
    year5 = _child(school, "5", "5B")
    year1 = _child(school, "1", "1A", joined=timezone.localdate() - datetime.timedelta(days=3))
    _child(school, "1", "1B", joined=datetime.date(2020, 9, 1))
    _child(other_school, "5", "5B")
    _child(school, "5", "5B", responsibility=False)  # a contact without parental responsibility is not asked
    left = _child(school, "5", "5B")
    left.left_on = datetime.date(2026, 7, 20)
    left.save()

    def pupils(scope, value=""):
        c = f.campaign(school, scope=scope, value=value, notify=False)
        return set(SigningRequest.objects.filter(campaign=c).values_list("pupil_id", flat=True))

    assert pupils(Campaign.Scope.YEAR, "5") == {year5.pk}
    assert pupils(Campaign.Scope.CLASS, "1A") == {year1.pk}
    assert pupils(Campaign.Scope.JOINED_SINCE, (timezone.localdate() - datetime.timedelta(days=7)).isoformat()) == {
        year1.pk
    }
    assert len(pupils(Campaign.Scope.SCHOOL)) == 3


def test_children_already_signed_for_are_not_asked_again(school):
    fam = f.family(school, children=1)
    first = f.campaign(school, notify=False)
    f.sign_invitation(f.invitation_of(first, fam.guardian))
    second = f.campaign(school, notify=False)
    assert not Invitation.objects.filter(campaign=second).exists()
    # A version that requires re-signing asks everyone again.
    f.published(school, Audience.PARENT, text="New agreement for 2027", requires_resign=True)
    third = f.campaign(school, notify=False)
    assert SigningRequest.objects.filter(campaign=third, pupil=fam.children[0]).count() == 2


def test_staff_and_governor_campaigns_make_one_request_per_person(school, staff, dsl, governor, chair, parent):
    staff_campaign = f.campaign(school, scope=Campaign.Scope.STAFF, audience=Audience.STAFF, notify=False)
    assert set(SigningRequest.objects.filter(campaign=staff_campaign).values_list("user_id", flat=True)) == {
        staff.pk,
        dsl.pk,
    }
    governors = f.campaign(school, scope=Campaign.Scope.GOVERNORS, audience=Audience.GOVERNOR, notify=False)
    assert set(SigningRequest.objects.filter(campaign=governors).values_list("user_id", flat=True)) == {
        governor.pk,
        chair.pk,
    }


def test_the_office_issues_from_the_form_and_a_bad_choice_keeps_the_form(client, signed_in, school, dsl):
    f.family(school)
    f.published(school, Audience.PARENT)
    signed_in(dsl)
    url = reverse("aup:campaign_new", args=[Audience.PARENT])
    closes = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    missing = client.post(url, {"scope": "class", "closes_on": closes, "remind_every_days": 7})
    assert missing.status_code == 200 and b"Choose which ones" in missing.content
    staff_scope = client.post(url, {"scope": "staff", "closes_on": closes, "remind_every_days": 7})
    assert staff_scope.status_code == 200 and b"reached through their children" in staff_scope.content
    assert not Campaign.objects.exists()
    ok = client.post(url, {"scope": "class", "class_name": "5B", "closes_on": closes, "remind_every_days": 7})
    campaign = Campaign.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("aup:campaign", args=[campaign.pk])
    assert campaign.scope_value == "5B" and campaign.requests.count() == 4

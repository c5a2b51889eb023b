"""A service has no request: ``acting_as(user=..., school=...)`` is what the person may do at the school, built
from their current memberships there, and it answers as the ``PortalContext`` of their request at that school
does, for every persona. Someone with no current membership there has no role, no capability, and sees no case."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from incidents import access
from incidents.models import Incident
from safeguarding_portal.accounts.context import SESSION_KEY, ActingAs, PersonAtSchool, PortalContext, acting_as
from safeguarding_portal.accounts.policy import Cap, Role

from .factories import MembershipFactory, UserFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _portal_at(user, school) -> PortalContext:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request.session[SESSION_KEY] = f"school:{school.pk}"
    return PortalContext(request)


def _answers(who: PersonAtSchool) -> dict:
    return {
        "school": who.school,
        "roles": who.roles,
        "caps": who.caps,
        "is_chair": who.is_chair,
        "is_safeguarding_governor": who.is_safeguarding_governor,
        "can": {cap: who.can(cap) for cap in Cap},
        "can by name": {cap.value: who.can(cap.value) for cap in Cap},
    }


def test_each_persona_acting_at_their_school_answers_as_their_request_there(personas, school, other_school):
    compared = 0
    for name, user in personas.items():
        for at in (school, other_school):
            portal = _portal_at(user, at)
            if portal.school != at:
                continue  # no membership there: their request would be elsewhere (below)
            acting = acting_as(user=user, school=at)
            assert isinstance(acting, ActingAs)
            assert _answers(acting) == _answers(portal), name
            assert acting.trust == portal.trust
            compared += 1
    # Every persona but the trust lead (a trust membership, no school) holds a school membership.
    assert compared == len(personas) - 1


def test_two_roles_at_the_school_add_up_as_on_the_page(school, other_school):
    user = UserFactory(email="two.hats@oak.example")
    MembershipFactory(user=user, school=school, role=Role.STAFF)
    MembershipFactory(user=user, school=school, role=Role.GOVERNOR, is_chair=True)
    MembershipFactory(user=user, school=other_school, role=Role.DSL)  # the DSL at the other school only

    acting = acting_as(user=user, school=school)

    assert acting.roles == {Role.STAFF, Role.GOVERNOR}
    assert acting.is_chair
    assert not acting.can(Cap.TRIAGE)
    assert _answers(acting) == _answers(_portal_at(user, school))
    assert acting_as(user=user, school=other_school).can(Cap.TRIAGE)


def test_no_current_membership_at_the_school_is_no_role_and_no_case(school, dsl, staff, trust_lead, outsider):
    make_case(school=school, reporter=staff)
    ended = UserFactory(email="left@oak.example")
    MembershipFactory(
        user=ended,
        school=school,
        role=Role.DSL,
        started_on=timezone.localdate() - datetime.timedelta(days=400),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    assert Incident.objects.filter(access.case_visibility(acting_as(user=dsl, school=school))).count() == 1
    for nobody in (outsider, trust_lead, ended):
        acting = acting_as(user=nobody, school=school)
        assert acting.roles == frozenset() and acting.caps == frozenset()
        assert not acting.is_chair and not acting.is_safeguarding_governor
        assert not Incident.objects.filter(access.case_visibility(acting)).exists()

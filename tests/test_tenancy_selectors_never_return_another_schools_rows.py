"""Every read is scoped to the school asked about: no selector returns another school's rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools import selectors
from safeguarding_portal.schools.models import Pupil

from .factories import (
    ContactFactory,
    GuardianFactory,
    MembershipFactory,
    PupilFactory,
    PupilGuardianFactory,
    SchoolFactory,
    TrustFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LEFT = datetime.date(2025, 7, 20)


@pytest.fixture
def two_schools(school, other_school):
    """The same surname at both schools, plus a leaver at ours: the search must pick exactly one."""
    ours = PupilFactory(school=school, legal_forename="Amara", surname="Okonkwo", year_group="4")
    PupilFactory(school=school, legal_forename="Amos", surname="Okonkwo", year_group="6", left_on=LEFT)
    theirs = PupilFactory(school=other_school, legal_forename="Amelia", surname="Okonkwo", year_group="4")
    return ours, theirs


def test_pupils_are_this_schools_and_on_roll(school, two_schools):
    ours, _ = two_schools
    assert list(selectors.pupils(school=school, query="Okonkwo")) == [ours]
    assert {p.legal_forename for p in selectors.pupils(school=school, include_left=True)} == {"Amara", "Amos"}


def test_type_ahead_search_finds_only_own_school_pupils_on_roll(school, two_schools):
    assert [p.legal_forename for p in selectors.search_pupils(school=school, query="oko")] == ["Amara"]
    assert [p.legal_forename for p in selectors.search_pupils(school=school, query="Am")] == ["Amara"]


def test_type_ahead_needs_two_letters(school, two_schools):
    assert selectors.search_pupils(school=school, query="O") == []


def test_type_ahead_as_staff_shows_only_own_school_pupils_on_roll(client, signed_in, staff, two_schools):
    signed_in(staff)

    response = client.get(reverse("incidents:pupil_options"), {"pupil_q": "Okon"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Amara Okonkwo" in body
    assert "Amelia" not in body  # another school
    assert "Amos" not in body  # left
    assert f'data-pupil-id="{two_schools[0].pk}"' in body


def test_another_schools_pupil_cannot_be_fetched_by_id(school, two_schools):
    _, theirs = two_schools
    with pytest.raises(Pupil.DoesNotExist):
        selectors.pupil_with_guardians(school=school, pupil_id=theirs.pk)


def test_pupil_list_as_dsl_shows_only_own_school(client, signed_in, dsl, two_schools):
    signed_in(dsl)

    body = client.get(reverse("schools:pupil_list"), {"left": "1"}).content.decode()

    assert "Okonkwo, Amara" in body
    assert "Okonkwo, Amos" in body  # leavers on request
    assert "Amelia" not in body


def test_staff_guardians_and_team_are_this_schools(school, other_school, dsl, staff, outsider, parent):
    GuardianFactory(school=school, full_name="Oak Guardian")
    GuardianFactory(school=other_school, full_name="Hill Guardian")

    assert {m.user for m in selectors.staff(school=school)} == {dsl, staff}  # parents are not staff
    assert [g.full_name for g in selectors.guardians(school=school)] == ["Oak Guardian"]
    assert [m.user for m in selectors.safeguarding_team(school=school)] == [dsl]
    assert [m.user for m in selectors.safeguarding_team(school=other_school)] == [outsider]


def test_emergency_contacts_are_this_schools(school, other_school):
    ContactFactory(school=other_school, name="Hillside LADO", kind="lado")
    assert [c.name for c in selectors.emergency_contacts(school=school)] == ["Wiltshire MASH"]


def test_children_of_a_parent_are_their_own_at_this_school(school, other_school, parent, two_schools):
    ours, theirs = two_schools
    guardian = GuardianFactory(school=school, user=parent)
    PupilGuardianFactory(pupil=ours, guardian=guardian)
    PupilGuardianFactory(pupil=theirs, guardian=GuardianFactory(school=other_school, user=parent))

    assert selectors.children_of(user=parent, school=school) == [ours]
    assert selectors.children_of(user=parent, school=other_school) == [theirs]


def test_counts_are_this_schools(school, other_school, dsl, staff, outsider, two_schools):
    GuardianFactory(school=other_school)

    counts = selectors.school_counts(school=school)

    assert counts == {"pupils": 1, "guardians": 0, "staff": 2}
    assert selectors.year_group_counts(school=school) == [("4", "Year 4", 1)]


def test_a_person_with_two_roles_counts_once_as_staff(school, head):
    MembershipFactory(user=head, school=school, role=Role.DSL)
    MembershipFactory(user=UserFactory(email="second@oak.example"), school=school, role=Role.STAFF)

    assert selectors.school_counts(school=school)["staff"] == 2


def test_trust_overview_covers_only_the_trusts_own_schools(trust, school, other_school, two_schools):
    stranger = SchoolFactory(trust=TrustFactory(name="Another Trust"), name="Far Away School")
    PupilFactory(school=stranger)

    rows = selectors.trust_overview(trust=trust)

    assert [(r["school"].name, r["pupils_on_roll"]) for r in rows] == [
        ("Hillside Academy", 1),
        ("Oakfield Primary School", 1),
    ]

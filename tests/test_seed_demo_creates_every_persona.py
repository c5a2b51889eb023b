"""seed_demo builds the Riverside Learning Trust: two schools, realistic pupils and parents, one account per role."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.audit.models import AuditAction, AuditEvent
from safeguarding_portal.core.demo import upn_check_letter
from safeguarding_portal.schools.calendar import academic_year_label, academic_year_of
from safeguarding_portal.schools.models import (
    Guardian,
    Pupil,
    PupilGuardian,
    SafeguardingContact,
    School,
    YearGroup,
)

pytestmark = pytest.mark.django_db

SCHOOL_PERSONAS = {
    "staff@demo.example": (Role.STAFF, "Oakfield Primary School"),
    "dsl@demo.example": (Role.DSL, "Oakfield Primary School"),
    "deputy@demo.example": (Role.DEPUTY_DSL, "Oakfield Primary School"),
    "head@demo.example": (Role.HEADTEACHER, "Oakfield Primary School"),
    "osl@demo.example": (Role.ONLINE_SAFETY_LEAD, "Oakfield Primary School"),
    "tech@demo.example": (Role.TECHNICIAN, "Oakfield Primary School"),
    "office@demo.example": (Role.OFFICE, "Oakfield Primary School"),
    "governor@demo.example": (Role.GOVERNOR, "Oakfield Primary School"),
    "chair@demo.example": (Role.GOVERNOR, "Oakfield Primary School"),
    "parent@demo.example": (Role.PARENT, "Oakfield Primary School"),
    "staff2@demo.example": (Role.STAFF, "Hillside Academy"),
}


def test_every_persona_holds_its_role_at_the_right_school_and_is_printed(seeded_demo):
    output = seeded_demo

    assert "Password for every account: Demo-portal-2026!" in output
    for email, (role, school_name) in SCHOOL_PERSONAS.items():
        assert re.search(rf"^\S+\s+{re.escape(email)}\s", output, re.M), f"{email} is not in the sign-in table"
        user = User.objects.get(email=email)
        assert user.check_password("Demo-portal-2026!")
        memberships = list(Membership.objects.current().filter(user=user))
        assert [(m.role, m.school.name) for m in memberships] == [(role, school_name)]
    governor = Membership.objects.get(user__email="governor@demo.example")
    chair = Membership.objects.get(user__email="chair@demo.example")
    assert (governor.is_safeguarding_governor, governor.is_chair) == (True, False)
    assert (chair.is_safeguarding_governor, chair.is_chair) == (False, True)
    trust_lead = Membership.objects.get(user__email="trust@demo.example")
    assert (trust_lead.role, trust_lead.trust.name, trust_lead.school) == (
        Role.TRUST_LEAD,
        "Riverside Learning Trust",
        None,
    )
    admin = User.objects.get(email="admin@demo.example")
    assert admin.is_superuser and admin.is_staff and admin.check_password("Demo-portal-2026!")
    assert "admin@demo.example" in output


def test_both_schools_belong_to_the_trust_with_terms_and_safeguarding_contacts(seeded_demo):
    oakfield = School.objects.get(name="Oakfield Primary School")
    hillside = School.objects.get(name="Hillside Academy")
    for school, prefix in ((oakfield, "OAK"), (hillside, "HIL")):
        school.full_clean()
        assert school.trust.name == "Riverside Learning Trust"
        assert school.reference_prefix == prefix
        # The school year it is built in and the two before it (seed_demo runs on any date).
        year = academic_year_of(timezone.localdate())
        assert set(school.terms.values_list("academic_year", flat=True)) == {year - 2, year - 1, year}
        assert school.terms.count() == 9
        for term in school.terms.all():
            term.full_clean()
        assert str(school.current_term(on=datetime.date(year, 11, 22))) == f"Autumn {academic_year_label(year)}"
        kinds = set(school.contacts.values_list("kind", flat=True))
        assert kinds >= {
            SafeguardingContact.Kind.EMERGENCY,
            SafeguardingContact.Kind.MASH,
            SafeguardingContact.Kind.LADO,
            SafeguardingContact.Kind.POLICE,
            SafeguardingContact.Kind.EDUCATION_SAFEGUARDING,
            SafeguardingContact.Kind.OUT_OF_HOURS,
        }
        assert school.contacts.get(kind=SafeguardingContact.Kind.EMERGENCY).phone == "999"
        assert school.contacts.get(kind=SafeguardingContact.Kind.POLICE).phone == "101"
    assert oakfield.local_authority == "Wiltshire"


def test_pupils_fill_every_year_group_in_two_classes_with_valid_upns_and_matching_ages(seeded_demo):
    oakfield = School.objects.get(name="Oakfield Primary School")
    hillside = School.objects.get(name="Hillside Academy")
    oak_years = {}
    for year in ("R", "1", "2", "3", "4", "5", "6"):
        pupils = Pupil.objects.filter(school=oakfield, year_group=year)
        oak_years[year] = pupils.count()
        classes = set(pupils.values_list("registration_group", flat=True))
        assert len(classes) == 2, classes
    assert all(25 <= n <= 35 for n in oak_years.values()), oak_years
    assert set(Pupil.objects.filter(school=hillside).values_list("year_group", flat=True)) == {
        "7",
        "8",
        "9",
        "10",
        "11",
    }
    assert Pupil.objects.filter(school=hillside).count() < Pupil.objects.filter(school=oakfield).count()

    years_in = {value: index for index, value in enumerate(YearGroup.values)}
    for pupil in Pupil.objects.all():
        pupil.full_clean()
        assert pupil.upn[0] == upn_check_letter(pupil.upn[1:]), pupil.upn
        # Reception children are four on 1 September of the school year the demo is built in.
        born_from = datetime.date(academic_year_of(timezone.localdate()) - 5 - years_in[pupil.year_group], 9, 1)
        assert born_from <= pupil.date_of_birth < born_from.replace(year=born_from.year + 1), pupil
        carers = pupil.guardian_links.count()
        assert 1 <= carers <= 2, pupil


def test_parents_have_example_emails_and_siblings_share_them(seeded_demo):
    for guardian in Guardian.objects.all():
        guardian.full_clean()
        domain = guardian.email.rsplit("@", 1)[1]
        assert domain in {"example.com", "example.org", "example.net"} or domain.endswith(".example"), guardian.email
    with_siblings = [g for g in Guardian.objects.all() if g.pupil_links.count() > 1]
    assert len(with_siblings) >= 10
    for guardian in with_siblings:
        surnames = {link.pupil.surname for link in guardian.pupil_links.all()}
        assert len(surnames) == 1


def test_the_demo_parent_is_the_guardian_of_two_siblings_at_oakfield(seeded_demo):
    parent = User.objects.get(email="parent@demo.example")
    guardian = Guardian.objects.get(user=parent)
    assert guardian.school.name == "Oakfield Primary School"
    children = list(guardian.children.order_by("legal_forename"))
    assert len(children) == 2
    assert children[0].surname == children[1].surname
    assert all(PupilGuardian.objects.get(pupil=c, guardian=guardian).has_parental_responsibility for c in children)


def test_role_grants_go_through_the_audited_service(seeded_demo):
    grants = AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED)
    assert grants.count() == Membership.objects.count() == 12  # one per persona with a role (the office too)
    assert {e.detail["user"] for e in grants} == set(SCHOOL_PERSONAS) | {"trust@demo.example"}

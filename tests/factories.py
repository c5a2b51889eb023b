"""factory_boy factories for the portal's models. Personas are built from these in conftest.py."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian, SafeguardingContact, School, Term, Trust

from . import clock

PASSWORD = "correct-horse-battery-staple"


class TrustFactory(DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Riverside Learning Trust {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Oakfield Primary {n}")
    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")
    local_authority = "Wiltshire"
    reference_prefix = factory.Sequence(lambda n: "S" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))


class TermFactory(DjangoModelFactory):
    """A term of the school year around the suite's day (tests/clock.py); autumn unless told."""

    class Meta:
        model = Term

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyFunction(lambda: clock.academic_year_of(clock.today()))
    name = Term.Name.AUTUMN
    starts_on = factory.LazyAttribute(lambda o: _standard_term(o.academic_year, o.name)[0])
    ends_on = factory.LazyAttribute(lambda o: _standard_term(o.academic_year, o.name)[1])


def _standard_term(academic_year: int, name: str) -> tuple[datetime.date, datetime.date]:
    return next((start, end) for term, start, end in clock.school_year_terms(academic_year) if term == name)


def enter_term_dates(school: School, academic_year: int) -> list[Term]:
    """The office enters a school year's three terms, as schools do before the year starts."""
    return [
        TermFactory(school=school, academic_year=academic_year, name=name, starts_on=start, ends_on=end)
        for name, start, end in clock.school_year_terms(academic_year)
    ]


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = SafeguardingContact

    school = factory.SubFactory(SchoolFactory)
    kind = SafeguardingContact.Kind.MASH
    name = "Wiltshire MASH"
    phone = "0300 456 0108"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@school.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    school = factory.SubFactory(SchoolFactory)
    trust = None


class PupilFactory(DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: f"A{n:011d}0")
    legal_forename = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2016, 5, 17)
    year_group = "5"
    registration_group = "5B"


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = Guardian

    school = factory.SubFactory(SchoolFactory)
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"parent{n}@home.example")


class PupilGuardianFactory(DjangoModelFactory):
    class Meta:
        model = PupilGuardian

    pupil = factory.SubFactory(PupilFactory)
    guardian = factory.SubFactory(GuardianFactory)
    relationship = "Mother"

"""factory_boy factories for the portal's models. Personas are built from these in conftest.py."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.models import Guardian, Pupil, PupilGuardian, SafeguardingContact, School, Term, Trust

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
    class Meta:
        model = Term

    school = factory.SubFactory(SchoolFactory)
    academic_year = 2026
    name = Term.Name.AUTUMN
    starts_on = datetime.date(2026, 9, 2)
    ends_on = datetime.date(2026, 12, 18)


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

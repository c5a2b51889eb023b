"""Demo data for newcomers: ``python manage.py seed_demo``.

Builds the Riverside Learning Trust with two schools (Oakfield Primary School and Hillside Academy), their
term dates and safeguarding contacts, realistic pupils with their parents and carers, and one account per
role, all with the same password. Two-factor roles get backup codes and a confirmed authenticator key, and
the command prints both so anyone can sign in as anyone.

Running it again changes nothing that is already there: schools are found by URN, families by their eldest
child's UPN, accounts by email, roles by their open membership. Backup codes are only replaced when fewer
than three are left, so codes a newcomer wrote down keep working.

Later issues add their own demo records without editing this module: an app of the project that has a
``demo`` module with ``seed(*, demo: Demo) -> list[str] | None`` is called after the core data exists (in
app order), and the lines it returns are printed under "Other demo records". Each ``seed`` must be
idempotent too.
"""

from __future__ import annotations

import base64
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from safeguarding_portal.accounts import services as account_services
from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role, requires_two_factor
from safeguarding_portal.core import plugins
from safeguarding_portal.schools.calendar import academic_year_of, typical_terms
from safeguarding_portal.schools.models import (
    Guardian,
    Pupil,
    PupilFlag,
    PupilGuardian,
    SafeguardingContact,
    School,
    Term,
    Trust,
    VulnerabilityFlag,
    YearGroup,
)
from safeguarding_portal.schools.selectors import term_in_view

DEMO_PASSWORD = "Demo-portal-2026!"  # noqa: S105 (printed for everyone on purpose: demo data only)
SEED = 2026
TRUST_NAME = "Riverside Learning Trust"
# The academic year the demo's year groups and dates of birth are for (2026/27).
MIN_BACKUP_CODES = 3

Kind = SafeguardingContact.Kind


# --- What to build ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactSpec:
    kind: str
    name: str
    phone: str
    email: str = ""
    notes: str = ""


@dataclass(frozen=True)
class SchoolSpec:
    key: str
    name: str
    urn: str
    local_authority: str
    la_code: str  # the DfE local authority number that starts every UPN allocated there
    establishment: str  # the DfE establishment number
    prefix: str
    address: str
    phone: str
    year_groups: tuple[str, ...]
    per_year: int
    class_names: tuple[str, str]
    contacts: tuple[ContactSpec, ...]
    # Secondary pupils keep the UPN their primary school gave them: these are the feeder schools' numbers.
    feeder_establishments: tuple[str, ...] = ()


# Phone numbers come from Ofcom's ranges reserved for drama (01632 960xxx, 03069 990xxx, 07700 900xxx),
# so nobody rings a real office by trying the demo. 999 and 101 are the real national numbers.
SCHOOLS: tuple[SchoolSpec, ...] = (
    SchoolSpec(
        key="oakfield",
        name="Oakfield Primary School",
        urn="146512",
        local_authority="Wiltshire",
        la_code="865",
        establishment="2417",
        prefix="OAK",
        address="Oakfield Lane\nMelksham\nWiltshire\nSN12 6QT",
        phone="01632 960120",
        year_groups=("R", "1", "2", "3", "4", "5", "6"),
        per_year=30,
        class_names=("Ash", "Beech"),
        contacts=(
            ContactSpec(Kind.EMERGENCY, "Emergency services", "999", notes="A child at immediate risk of harm."),
            ContactSpec(
                Kind.MASH,
                "Wiltshire Multi-Agency Safeguarding Hub (MASH)",
                "03069 990108",
                "mash@wiltshire.example",
                "Weekdays 8.45am to 5pm. Referrals also by the online form.",
            ),
            ContactSpec(
                Kind.LADO,
                "Wiltshire LADO",
                "01632 960411",
                "lado@wiltshire.example",
                "Allegations about adults who work with children. The head calls, not the DSL.",
            ),
            ContactSpec(Kind.POLICE, "Wiltshire Police (non-emergency)", "101"),
            ContactSpec(
                Kind.EDUCATION_SAFEGUARDING,
                "Wiltshire Education Safeguarding Team",
                "01632 960587",
                "est@wiltshire.example",
                "Advice for DSLs, training and section 175 audits.",
            ),
            ContactSpec(
                Kind.OUT_OF_HOURS,
                "Wiltshire Emergency Duty Service",
                "03069 990302",
                notes="Evenings, weekends and bank holidays.",
            ),
        ),
    ),
    SchoolSpec(
        key="hillside",
        name="Hillside Academy",
        urn="148903",
        local_authority="Swindon",
        la_code="866",
        establishment="4032",
        prefix="HIL",
        address="Hillside Road\nSwindon\nSN3 4EX",
        phone="01632 960740",
        year_groups=("7", "8", "9", "10", "11"),
        per_year=16,
        class_names=("K", "M"),  # tutor groups 7K and 7M
        contacts=(
            ContactSpec(Kind.EMERGENCY, "Emergency services", "999", notes="A child at immediate risk of harm."),
            ContactSpec(
                Kind.MASH,
                "Swindon Multi-Agency Safeguarding Hub (MASH)",
                "03069 990466",
                "mash@swindon.example",
                "Monday to Friday 9am to 5pm.",
            ),
            ContactSpec(
                Kind.LADO,
                "Swindon LADO",
                "01632 960823",
                "lado@swindon.example",
                "Allegations about adults who work with children.",
            ),
            ContactSpec(Kind.POLICE, "Wiltshire Police (non-emergency)", "101"),
            ContactSpec(
                Kind.EDUCATION_SAFEGUARDING,
                "Swindon Education Safeguarding Team",
                "01632 960655",
                "est@swindon.example",
            ),
            ContactSpec(
                Kind.OUT_OF_HOURS,
                "Swindon Out of Hours Social Care",
                "03069 990219",
                notes="Evenings, weekends and bank holidays.",
            ),
        ),
        feeder_establishments=("2009", "2114", "2230", "2305", "3351"),
    ),
)

# English term dates (Wiltshire's pattern): three terms a year, half-terms inside them.
# The demo's schools have entered the usual term dates (schools.models.typical_terms) for the school year
# the demo is built in and the two before it, so on any date it has a current (or just-ended) term, three
# earlier terms of history for trends, and a term to report on.
HISTORY_YEARS = 2


def term_dates(today: datetime.date) -> list[tuple[int, str, datetime.date, datetime.date]]:
    year = academic_year_of(today)
    return [
        (y, name, start, end) for y in range(year - HISTORY_YEARS, year + 1) for name, start, end in typical_terms(y)
    ]


@dataclass(frozen=True)
class PersonaSpec:
    key: str
    email: str
    full_name: str
    role: str | None  # None: the superuser, who holds no role
    school_key: str | None  # None: the trust (trust lead) or nowhere (superuser)
    job_title: str = ""
    is_safeguarding_governor: bool = False
    is_chair: bool = False
    is_superuser: bool = False


PERSONAS: tuple[PersonaSpec, ...] = (
    PersonaSpec("staff", "staff@demo.example", "Emma Clarke", Role.STAFF, "oakfield", "Class teacher, 3 Ash"),
    PersonaSpec(
        "dsl",
        "dsl@demo.example",
        "Sarah Thompson",
        Role.DSL,
        "oakfield",
        "Deputy headteacher and Designated Safeguarding Lead",
    ),
    PersonaSpec("deputy", "deputy@demo.example", "James Okafor", Role.DEPUTY_DSL, "oakfield", "SENCo and deputy DSL"),
    PersonaSpec("head", "head@demo.example", "Rachel Bennett", Role.HEADTEACHER, "oakfield", "Headteacher"),
    PersonaSpec(
        "osl",
        "osl@demo.example",
        "Priya Shah",
        Role.ONLINE_SAFETY_LEAD,
        "oakfield",
        "Computing lead and online safety lead",
    ),
    PersonaSpec("tech", "tech@demo.example", "Tom Hughes", Role.TECHNICIAN, "oakfield", "IT technician"),
    PersonaSpec(
        "office",
        "office@demo.example",
        "Linda Patel",
        Role.OFFICE,
        "oakfield",
        "School business manager (data protection)",
    ),
    PersonaSpec(
        "governor",
        "governor@demo.example",
        "Margaret Ellis",
        Role.GOVERNOR,
        "oakfield",
        "Safeguarding governor",
        is_safeguarding_governor=True,
    ),
    PersonaSpec(
        "chair", "chair@demo.example", "David Whitfield", Role.GOVERNOR, "oakfield", "Chair of governors", is_chair=True
    ),
    PersonaSpec("parent", "parent@demo.example", "Hannah Morgan", Role.PARENT, "oakfield"),
    PersonaSpec("trust", "trust@demo.example", "Alison Carter", Role.TRUST_LEAD, None, "Trust safeguarding lead"),
    PersonaSpec("staff2", "staff2@demo.example", "Ben Walker", Role.STAFF, "hillside", "Teacher of English"),
    PersonaSpec("admin", "admin@demo.example", "Portal Administrator", None, None, is_superuser=True),
)


# parent@demo.example's family at Oakfield: two siblings, so the parent's home page lists both.
class _DemoFamily(TypedDict):
    surname: str
    children: tuple[tuple[str, str, str], ...]  # forename, sex, year group
    second_carer: tuple[str, str, str]  # full name, relationship, email


DEMO_FAMILY: _DemoFamily = {
    "surname": "Morgan",
    "children": (("Oliver", "M", "4"), ("Isla", "F", "1")),
    "second_carer": ("Daniel Morgan", "Father", "daniel.morgan@example.com"),
}

# Faker's first names span every generation; children get names from recent ONS top-100 lists instead.
GIRLS = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophia",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Evie",
    "Isabella",
    "Sophie",
    "Ivy",
    "Freya",
    "Harper",
    "Willow",
    "Charlotte",
    "Jessica",
    "Rosie",
    "Daisy",
    "Alice",
    "Florence",
    "Phoebe",
    "Matilda",
    "Evelyn",
    "Sienna",
    "Ruby",
    "Chloe",
    "Millie",
    "Esme",
    "Erin",
    "Imogen",
    "Maya",
    "Layla",
    "Zara",
    "Aisha",
    "Hannah",
    "Scarlett",
    "Elsie",
    "Eliza",
    "Maisie",
    "Holly",
    "Amber",
    "Molly",
    "Nancy",
    "Harriet",
    "Eleanor",
    "Elizabeth",
    "Katherine",
    "Rebecca",
    "Fatima",
    "Zofia",
    "Priya",
)
BOYS = (
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Harry",
    "Leo",
    "Muhammad",
    "Jack",
    "Charlie",
    "Oscar",
    "Jacob",
    "Henry",
    "Thomas",
    "Freddie",
    "Alfie",
    "Theo",
    "William",
    "Theodore",
    "Archie",
    "Joshua",
    "Alexander",
    "James",
    "Isaac",
    "Edward",
    "Lucas",
    "Tommy",
    "Finley",
    "Max",
    "Logan",
    "Ethan",
    "Teddy",
    "Benjamin",
    "Arlo",
    "Joseph",
    "Sebastian",
    "Harrison",
    "Elijah",
    "Adam",
    "Daniel",
    "Samuel",
    "Louie",
    "Mason",
    "Reuben",
    "Rory",
    "Jude",
    "Hugo",
    "Dylan",
    "Ronnie",
    "Ibrahim",
    "Zachary",
    "Toby",
    "Matthew",
    "Nicholas",
    "Kai",
    "Jakub",
    "Aarav",
    "Kwame",
)

# Some children go by a shorter name than their legal one.
PREFERRED = {
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Charlotte": "Lottie",
    "Elizabeth": "Libby",
    "Jacob": "Jake",
    "Katherine": "Kate",
    "Matthew": "Matt",
    "Nicholas": "Nick",
    "Olivia": "Liv",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "William": "Will",
    "Rebecca": "Becky",
    "Joshua": "Josh",
}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "home.example", "mail.example")
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


# --- What was built -----------------------------------------------------------------------------------


@dataclass
class SignIn:
    persona: str
    email: str
    full_name: str
    role_label: str
    where: str
    two_factor: bool
    backup_codes: list[str] = field(default_factory=list)
    totp_key: str = ""
    totp_url: str = ""


@dataclass
class Demo:
    """Handed to each app's ``demo.seed``: the trust, schools by key and users by persona key."""

    trust: Trust
    schools: dict[str, School]
    users: dict[str, User] = field(default_factory=dict)
    sign_ins: list[SignIn] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD


def upn_check_letter(body: str) -> str:
    """The DfE check letter for the 12 characters after it (weights 2 to 13, modulo 23)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char)
        total += weight * value
    return UPN_CHECK_LETTERS[total % 23]


def make_upn(*, la_code: str, establishment: str, year_allocated: int, serial: int) -> str:
    body = f"{la_code}{establishment}{year_allocated % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


# --- Building -----------------------------------------------------------------------------------------


@transaction.atomic
def build_demo() -> Demo:
    trust, _ = Trust.objects.get_or_create(name=TRUST_NAME)
    schools = {spec.key: _school(spec, trust) for spec in SCHOOLS}
    demo = Demo(trust=trust, schools=schools)
    for spec in SCHOOLS:
        _terms(schools[spec.key])
        _contacts(schools[spec.key], spec)
    for persona in PERSONAS:
        demo.users[persona.key] = _account(persona, demo)
    # One generator for the whole run, so each school's pupils come out the same every time.
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    for spec in SCHOOLS:
        _families(schools[spec.key], spec, fake=fake, rng=rng, parent=demo.users["parent"])
    for persona in PERSONAS:
        demo.sign_ins.append(_sign_in(persona, demo))
    _run_extensions(demo)
    return demo


def _school(spec: SchoolSpec, trust: Trust) -> School:
    school, created = School.objects.get_or_create(
        urn=spec.urn,
        defaults={
            "trust": trust,
            "name": spec.name,
            "local_authority": spec.local_authority,
            "reference_prefix": spec.prefix,
            "address": spec.address,
            "phone": spec.phone,
        },
    )
    if created:
        school.full_clean()
    return school


def _terms(school: School) -> None:
    existing = set(school.terms.values_list("academic_year", "name"))
    for year, name, starts_on, ends_on in term_dates(timezone.localdate()):
        if (year, name) in existing:
            continue
        term = Term(school=school, academic_year=year, name=name, starts_on=starts_on, ends_on=ends_on)
        try:
            term.full_clean()
        except ValidationError:
            continue  # a demo database from another year whose dates overlap these: keep what is there
        term.save()


def _contacts(school: School, spec: SchoolSpec) -> None:
    existing = set(school.contacts.values_list("kind", "name"))
    SafeguardingContact.objects.bulk_create(
        [
            SafeguardingContact(school=school, kind=c.kind, name=c.name, phone=c.phone, email=c.email, notes=c.notes)
            for c in spec.contacts
            if (c.kind, c.name) not in existing
        ]
    )


def _account(persona: PersonaSpec, demo: Demo) -> User:
    user = User.objects.filter(email__iexact=persona.email).first()
    if user is None:
        manager = User.objects.create_superuser if persona.is_superuser else User.objects.create_user
        user = manager(persona.email, DEMO_PASSWORD, full_name=persona.full_name)
    elif not user.is_active or not user.check_password(DEMO_PASSWORD):
        # Someone changed it while trying things out; the printed password must keep working.
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["is_active", "password"])
    if persona.role is None:
        return user
    school = demo.schools[persona.school_key] if persona.school_key else None
    trust = demo.trust if persona.role == Role.TRUST_LEAD else None
    held = Membership.objects.filter(user=user, role=persona.role, school=school, trust=trust, ended_on__isnull=True)
    if not held.exists():
        # Through the service, so that the demo's role grants are in the audit log like any other.
        account_services.membership_grant(
            user=user,
            role=persona.role,
            school=school,
            trust=trust,
            job_title=persona.job_title,
            is_safeguarding_governor=persona.is_safeguarding_governor,
            is_chair=persona.is_chair,
        )
    return user


# (full name, relationship, email, phone, has parental responsibility)
Carer = tuple[str, str, str, str, bool]


@dataclass
class _Child:
    forename: str
    sex: str
    year_group: str


def _families(school: School, spec: SchoolSpec, *, fake: Faker, rng: random.Random, parent: User) -> None:
    """Pupils in families of one to three, each with one or two parents or carers.

    Every family is generated on every run (so the random streams stay in step); a family whose eldest
    child's UPN is already at the school is skipped, which is what makes the run idempotent.
    """
    capacity = dict.fromkeys(spec.year_groups, spec.per_year)
    placed = dict.fromkeys(spec.year_groups, 0)
    serials: dict[tuple[str, int], int] = {}
    existing_upns = set(Pupil.objects.filter(school=school).values_list("upn", flat=True))
    used_emails = {
        e.lower() for e in Guardian.objects.filter(school=school).exclude(email="").values_list("email", flat=True)
    }
    new_pupils: list[Pupil] = []
    new_guardians: list[Guardian] = []
    links: list[tuple[int, int, str, int, bool]] = []  # pupil index, guardian index, relationship, priority, PR

    def add_family(surname: str, children: list[_Child], carers: list[Carer]) -> None:
        # Everything random is drawn before the skip below, so runs stay in step whichever families exist.
        pupils = [_pupil(school, spec, child, surname, rng, serials, placed) for child in children]
        if pupils[0].upn in existing_upns:
            return
        first_pupil = len(new_pupils)
        new_pupils.extend(pupils)
        for priority, (full_name, relationship, email, phone, responsibility) in enumerate(carers, start=1):
            guardian = Guardian(school=school, full_name=full_name, email=email, phone=phone)
            if email == parent.email:
                guardian.user = parent
            new_guardians.append(guardian)
            for offset in range(len(pupils)):
                links.append((first_pupil + offset, len(new_guardians) - 1, relationship, priority, responsibility))

    if spec.key == "oakfield":
        family = DEMO_FAMILY
        children = [_Child(name, sex, year) for name, sex, year in family["children"]]
        for child in children:
            capacity[child.year_group] -= 1
        second_name, second_relationship, second_email = family["second_carer"]
        used_emails.update({parent.email, second_email})
        add_family(
            family["surname"],
            children,
            [
                (parent.full_name, "Mother", parent.email, _mobile(rng), True),
                (second_name, second_relationship, second_email, _mobile(rng), True),
            ],
        )

    while any(capacity.values()):
        open_years = [y for y in spec.year_groups if capacity[y] > 0]
        size = min(rng.choices((1, 2, 3), weights=(64, 29, 7))[0], len(open_years))
        years = sorted(rng.sample(open_years, size), key=spec.year_groups.index)
        for year in years:
            capacity[year] -= 1
        surname = fake.last_name()
        children = []
        for year in years:
            sex = rng.choice("MF")
            children.append(_Child(fake.random_element(BOYS if sex == "M" else GIRLS), sex, year))
        add_family(surname, children, _carers(surname, fake=fake, rng=rng, used_emails=used_emails))

    Pupil.objects.bulk_create(new_pupils)
    Guardian.objects.bulk_create(new_guardians)
    PupilGuardian.objects.bulk_create(
        [
            PupilGuardian(
                pupil=new_pupils[p],
                guardian=new_guardians[g],
                relationship=relationship,
                contact_priority=priority,
                has_parental_responsibility=responsibility,
            )
            for p, g, relationship, priority, responsibility in links
        ]
    )
    # The family may predate the parent's account (or someone unlinked it while trying the admin).
    Guardian.objects.filter(school=school, email__iexact=parent.email, user__isnull=True).update(user=parent)
    _demo_flags(school=school, pupils=new_pupils)


# Roughly how often English schools' pupils carry each flag, so the DSL's views and the figures have some.
DEMO_FLAG_RATES = {
    VulnerabilityFlag.FREE_SCHOOL_MEALS: 0.22,
    VulnerabilityFlag.PUPIL_PREMIUM: 0.25,
    VulnerabilityFlag.EAL: 0.16,
    VulnerabilityFlag.SEN_SUPPORT: 0.12,
    VulnerabilityFlag.EHCP: 0.025,
    VulnerabilityFlag.YOUNG_CARER: 0.02,
    VulnerabilityFlag.CHILD_IN_NEED: 0.03,
    VulnerabilityFlag.CP_PLAN: 0.012,
    VulnerabilityFlag.LOOKED_AFTER: 0.008,
    VulnerabilityFlag.PREVIOUSLY_LOOKED_AFTER: 0.01,
}


def _demo_flags(*, school: School, pupils: list[Pupil]) -> None:
    """Flags as the MIS would bring them in, some ended. Their own random stream, so the rest of the demo (names,
    cases) is the same with or without them."""
    rng = random.Random(f"flags-{school.urn}")
    today = timezone.localdate()
    flags = []
    for pupil in pupils:
        for kind, rate in DEMO_FLAG_RATES.items():
            if rng.random() >= rate:
                continue
            starts_on = max(pupil.joined_on or today, today - datetime.timedelta(days=rng.randrange(30, 1500)))
            ends_on = None
            if rng.random() < 0.2:
                ends_on = min(today, starts_on + datetime.timedelta(days=rng.randrange(20, 400)))
            flags.append(
                PupilFlag(
                    pupil=pupil,
                    kind=kind,
                    starts_on=min(starts_on, today),
                    ends_on=ends_on,
                    source=PupilFlag.Source.MIS,
                )
            )
    PupilFlag.objects.bulk_create(flags)


def _pupil(
    school: School,
    spec: SchoolSpec,
    child: _Child,
    surname: str,
    rng: random.Random,
    serials: dict[tuple[str, int], int],
    placed: dict[str, int],
) -> Pupil:
    years_in = list(YearGroup.values).index(child.year_group)  # Reception is 0, Year 7 is 7
    # Born between 1 September and 31 August of the right year for 2026/27.
    this_year = academic_year_of(timezone.localdate())  # ages and year groups fit the day it is built
    born = datetime.date(this_year - 5 - years_in, 9, 1) + datetime.timedelta(days=rng.randrange(365))
    started_reception = this_year - years_in
    establishment = rng.choice(spec.feeder_establishments) if spec.feeder_establishments else spec.establishment
    serial = serials.get((establishment, started_reception), 0) + 1
    serials[(establishment, started_reception)] = serial
    upn = make_upn(la_code=spec.la_code, establishment=establishment, year_allocated=started_reception, serial=serial)
    first_year_here = spec.year_groups[0]
    entry_year = this_year - (years_in - list(YearGroup.values).index(first_year_here))
    joined = datetime.date(entry_year, 9, 3)
    if rng.random() < 0.1 and entry_year < this_year:
        # An in-year admission, some time before this academic year began.
        joined += datetime.timedelta(days=rng.randrange(30, (datetime.date(this_year, 9, 1) - joined).days))
    class_name = spec.class_names[placed[child.year_group] % 2]
    placed[child.year_group] += 1
    # Primary classes are named ("3 Ash"); secondary tutor groups are a letter ("9K").
    separator = " " if len(class_name) > 1 else ""
    registration_group = f"{child.year_group}{separator}{class_name}"
    preferred = PREFERRED.get(child.forename, "") if rng.random() < 0.5 else ""
    return Pupil(
        school=school,
        upn=upn,
        legal_forename=child.forename,
        preferred_forename=preferred,
        surname=surname,
        date_of_birth=born,
        year_group=child.year_group,
        registration_group=registration_group,
        joined_on=joined,
    )


def _mobile(rng: random.Random) -> str:
    return f"07700 900{rng.randrange(1000):03d}"


def _carers(surname: str, *, fake: Faker, rng: random.Random, used_emails: set[str]) -> list[Carer]:
    """A family's parents or carers, the first being the first to call."""
    roll = rng.random()
    if roll < 0.04:
        people = [(fake.first_name_female(), surname, "Grandmother", True)]
    elif roll < 0.30:
        mother_surname = surname if rng.random() < 0.6 else fake.last_name()
        people = [(fake.first_name_female(), mother_surname, "Mother", True)]
    elif roll < 0.38:
        people = [
            (fake.first_name_female(), surname, "Mother", True),
            (fake.first_name_male(), fake.last_name(), "Stepfather", False),
        ]
    else:
        mother_surname = surname if rng.random() < 0.85 else fake.last_name()
        people = [
            (fake.first_name_female(), mother_surname, "Mother", True),
            (fake.first_name_male(), surname, "Father", True),
        ]
    carers = []
    for forename, family_name, relationship, responsibility in people:
        carers.append(
            (
                f"{forename} {family_name}",
                relationship,
                _email(forename, family_name, rng=rng, used=used_emails),
                _mobile(rng),
                responsibility,
            )
        )
    return carers


def _email(forename: str, surname: str, *, rng: random.Random, used: set[str]) -> str:
    local = (
        rng.choice(
            (
                f"{forename}.{surname}",
                f"{forename}{surname}",
                f"{forename[0]}{surname}",
                f"{forename}.{surname[0]}",
            )
        )
        .lower()
        .replace(" ", "")
        .replace("'", "")
    )
    domain = rng.choice(EMAIL_DOMAINS)
    email, n = f"{local}@{domain}", 1
    while email in used:
        n += 1
        email = f"{local}{n}@{domain}"
    used.add(email)
    return email


# --- Two-factor ---------------------------------------------------------------------------------------


def _sign_in(persona: PersonaSpec, demo: Demo) -> SignIn:
    user = demo.users[persona.key]
    if persona.role is None:
        role_label, where = "Superuser (Django admin)", "everywhere (no role)"
    else:
        role_label = str(Role(persona.role).label)
        if persona.is_chair:
            role_label = "Governor (chair)"
        elif persona.is_safeguarding_governor:
            role_label = "Governor (safeguarding)"
        where = demo.schools[persona.school_key].name if persona.school_key else demo.trust.name
    roles = {persona.role} if persona.role else set()
    sign_in = SignIn(
        persona=persona.key,
        email=user.email,
        full_name=user.full_name,
        role_label=role_label,
        where=where,
        two_factor=requires_two_factor(roles, is_superuser=persona.is_superuser),
    )
    if sign_in.two_factor:
        sign_in.backup_codes = _backup_codes(user)
        device = _authenticator(user)
        key = base64.b32encode(device.bin_key).decode().rstrip("=")
        sign_in.totp_key = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
        sign_in.totp_url = device.config_url
    return sign_in


def _backup_codes(user: User) -> list[str]:
    device = StaticDevice.objects.filter(user=user, name="backup", confirmed=True).first()
    if device is None or device.token_set.count() < MIN_BACKUP_CODES:
        account_services.backup_codes_regenerate(user=user)
        device = StaticDevice.objects.get(user=user, name="backup")
    return list(device.token_set.order_by("id").values_list("token", flat=True))


def _authenticator(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        device = account_services.totp_device_pending(user=user)
        account_services.totp_confirm(user=user, device=device)
    return device


# --- Other apps' demo records -------------------------------------------------------------------------


def _run_extensions(demo: Demo) -> None:
    # Each app's builders (kind ``demo`` in ``<app>/demo.py``), in their declared order; each is idempotent.
    for seed in plugins.values("demo"):
        demo.notes.extend(seed(demo=demo) or [])


# --- Printing -----------------------------------------------------------------------------------------


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*headers).rstrip(), line, *(fmt.format(*r).rstrip() for r in rows)]


def format_report(demo: Demo) -> str:
    out: list[str] = [f"Demo data: {demo.trust.name}", ""]
    school_rows = []
    for school in demo.schools.values():
        view = term_in_view(school=school)
        current = view.term
        school_rows.append(
            (
                school.name,
                school.urn,
                school.reference_prefix,
                school.local_authority,
                str(school.pupils.on_roll().count()),
                str(school.guardians.count()),
                f"{current} ({current.starts_on:%-d %b} to {current.ends_on:%-d %b %Y})"
                if view.in_term and current is not None
                else view.note,
            )
        )
    out += _table(("School", "URN", "Prefix", "LA", "Pupils", "Parents/carers", "Term"), school_rows)
    if demo.notes:
        out += ["", "Other demo records", *(f"  {note}" for note in demo.notes)]
    # The sign-ins last: they are what a newcomer needs next, just above "Serving the portal".
    out += ["", f"Password for every account: {demo.password}", f"Sign in at {settings.SITE_URL}/accounts/sign-in/", ""]
    out += _table(
        ("Persona", "Email", "Name", "Role", "Where", "2FA"),
        [
            (s.persona, s.email, s.full_name, s.role_label, s.where, "yes" if s.two_factor else "-")
            for s in demo.sign_ins
        ],
    )
    two_factor = [s for s in demo.sign_ins if s.two_factor]
    if two_factor:
        out += [
            "",
            "Two-factor sign-in: after the password, type one backup code (each works once; seed_demo tops",
            "them up when fewer than three are left) or add the key to an authenticator app and type its code.",
            "",
        ]
        for s in two_factor:
            codes = [f"{c[:5]}-{c[5:]}" for c in s.backup_codes]
            out.append(f"{s.email} · {s.role_label}")
            out.append(f"  Backup codes ({len(codes)} left): {'  '.join(codes[:5])}")
            if len(codes) > 5:
                out.append(f"  {' ' * len(f'Backup codes ({len(codes)} left): ')}{'  '.join(codes[5:])}")
            out.append(f"  Authenticator key: {s.totp_key}")
            out.append(f"  {s.totp_url}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"

"""Builds big trusts fast, for benchmarks: ``build_trust(schools=500, pupils=250_000)``.

Everything is precomputed in Python and written with ``bulk_create`` in batches of 5,000, inside one
transaction: no query per row, no Faker, no password hashing per user (every bench user shares one hash
of ``BENCH_PASSWORD``). Role grants are inserted directly, so, unlike ``seed_demo``, they are not audited.

A trust is named after its size ("Bench Trust 500x250000") and built once per database: asking again for
the same size reuses it, which is why benches should run on a scratch database.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, islice

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models.base import ModelState
from django.test.utils import override_settings
from django.utils import timezone

from safeguarding_portal.accounts.models import Membership, User
from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.schools.calendar import academic_year_of, typical_terms
from safeguarding_portal.schools.models import (
    Guardian,
    Pupil,
    PupilGuardian,
    SafeguardingContact,
    School,
    Term,
    Trust,
)

BENCH_PASSWORD = "Bench-portal-2026!"
BATCH_SIZE = 5000
PUPILS_PER_SCHOOL = 500
STAFF_PER_SCHOOL = 20  # plain staff members, on top of one person per role
EMAIL_DOMAIN = "bench.example"

# One person per school role at every school, keyed as benches ask for them.
SCHOOL_PERSONAS: tuple[tuple[str, str, dict[str, bool]], ...] = (
    ("staff", Role.STAFF, {}),
    ("dsl", Role.DSL, {}),
    ("deputy_dsl", Role.DEPUTY_DSL, {}),
    ("online_safety_lead", Role.ONLINE_SAFETY_LEAD, {}),
    ("headteacher", Role.HEADTEACHER, {}),
    ("technician", Role.TECHNICIAN, {}),
    ("governor", Role.GOVERNOR, {"is_safeguarding_governor": True}),
    ("chair", Role.GOVERNOR, {"is_chair": True}),
    ("parent", Role.PARENT, {}),
)
PERSONA_KEYS = (*(key for key, _, _ in SCHOOL_PERSONAS), "trust_lead")

FORENAMES = (
    "Olivia",
    "Noah",
    "Amelia",
    "George",
    "Isla",
    "Oliver",
    "Ava",
    "Arthur",
    "Mia",
    "Leo",
    "Ivy",
    "Harry",
    "Freya",
    "Jack",
    "Lily",
    "Theo",
    "Grace",
    "Oscar",
    "Evie",
    "Alfie",
    "Sophia",
    "Henry",
    "Poppy",
    "Archie",
    "Ella",
    "Muhammad",
    "Willow",
    "Charlie",
    "Rosie",
    "Jacob",
    "Aisha",
    "Finley",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Khan",
    "Begum",
    "Murphy",
    "Kaur",
    "Lewis",
    "Scott",
    "Morris",
    "Baker",
    "Price",
)
PLACES = ("Oak", "Ash", "Elm", "Birch", "Willow", "Rowan", "Hazel", "Cedar", "Maple", "Holly", "Alder", "Larch")
AUTHORITIES = ("Wiltshire", "Swindon", "Bath and North East Somerset", "Somerset", "Dorset", "Gloucestershire")
PRIMARY_YEARS = ("R", "1", "2", "3", "4", "5", "6")
SECONDARY_YEARS = ("7", "8", "9", "10", "11")
YEARS_IN = {y: i for i, y in enumerate(("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"))}
# The school year the bench runs in, with the usual term dates: benches measure a school in its year.
ACADEMIC_YEAR = academic_year_of(datetime.date.today())
TERMS = tuple(typical_terms(ACADEMIC_YEAR))
CONTACTS = (
    (SafeguardingContact.Kind.EMERGENCY, "Emergency services", "999"),
    (SafeguardingContact.Kind.MASH, "Multi-Agency Safeguarding Hub", "03069 990108"),
    (SafeguardingContact.Kind.LADO, "LADO", "01632 960411"),
    (SafeguardingContact.Kind.POLICE, "Police (non-emergency)", "101"),
)


def trust_name(*, schools: int, pupils: int, guardians: bool = True, label: str = "") -> str:
    return (
        f"Bench Trust {schools}x{pupils}" + ("" if guardians else " (no guardians)") + (f" ({label})" if label else "")
    )


def schools_for(pupils: int) -> int:
    """Schools for a trust of ``pupils``: 500 a school, and never fewer than two (a neighbour to keep out)."""
    return max(2, math.ceil(pupils / PUPILS_PER_SCHOOL))


def persona_email(*, trust: Trust, key: str, school_index: int | None = None) -> str:
    if key == "trust_lead":
        return f"trust_lead.t{trust.pk}@{EMAIL_DOMAIN}"
    return f"{key}.{school_index:04d}.t{trust.pk}@{EMAIL_DOMAIN}"


@dataclass
class BuildResult:
    trust: Trust
    schools: int
    pupils: int
    guardians: bool
    build_s: float  # wall-clock seconds; 0 when reused
    reused: bool
    build_cpu_s: float = 0.0  # this process's CPU seconds: steadier than wall-clock on a busy machine

    def school_ids(self) -> list[int]:
        return list(School.objects.filter(trust=self.trust).order_by("pk").values_list("pk", flat=True))

    def school(self, index: int) -> School:
        return School.objects.filter(trust=self.trust).order_by("pk")[index]

    @property
    def middle(self) -> int:
        """The index of a school in the middle of the trust, so no bench enjoys being first or last."""
        return self.schools // 2

    def persona(self, key: str, school_index: int | None = None) -> User:
        """The person holding role ``key`` (see PERSONA_KEYS) at the school with that index."""
        index = self.middle if school_index is None else school_index
        return User.objects.get(email=persona_email(trust=self.trust, key=key, school_index=index))


def build_trust(
    *,
    schools: int,
    pupils: int,
    guardians: bool = True,
    staff_per_school: int = STAFF_PER_SCHOOL,
    label: str = "",
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Create a trust of ``schools`` schools sharing ``pupils`` pupils evenly, or reuse the one already built."""
    if schools < 1 or pupils < 0:
        raise ValueError("A bench trust needs at least one school and no negative number of pupils.")
    say = progress or (lambda message: None)
    # A label keeps apart trusts of the same size that carry different data (say, how many incidents).
    name = trust_name(schools=schools, pupils=pupils, guardians=guardians, label=label)
    existing = Trust.objects.filter(name=name).first()
    if existing is not None:
        say(f"reusing {name}")
        return BuildResult(existing, schools, pupils, guardians, 0.0, reused=True)
    say(f"building {name}")
    started, cpu_started = time.perf_counter(), time.process_time()
    # DEBUG would keep every INSERT's SQL, with its thousands of values quoted, in connection.queries.
    with override_settings(DEBUG=False), transaction.atomic():
        # One transaction: a build that fails half-way leaves nothing, so an existing trust is always whole.
        trust = Trust.objects.create(name=name)
        school_ids = _schools(trust, schools)
        say(f"  {schools} schools, terms and contacts: {time.perf_counter() - started:.1f}s")
        parents = _people(trust, school_ids, staff_per_school)
        say(f"  staff and roles: {time.perf_counter() - started:.1f}s")
        _pupils(trust, school_ids, pupils, guardians=guardians, parents=parents, say=say, started=started)
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    say(f"built {name} in {build_s:.1f}s ({build_cpu_s:.1f}s CPU)")
    return BuildResult(
        trust, schools, pupils, guardians, round(build_s, 2), reused=False, build_cpu_s=round(build_cpu_s, 2)
    )


def _maker(model: type[models.Model]) -> Callable[..., models.Model]:
    """A constructor that skips Model.__init__ (a third of the ORM's time here) for rows given every value.

    Unset fields take their defaults, evaluated once: fine for benches, where every row has the same.
    """
    defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    new = model.__new__

    def make(**values) -> models.Model:
        obj = new(model)
        obj.__dict__ = {**defaults, **values, "_state": ModelState()}
        return obj

    return make


def _batches(items: Iterator, size: int = BATCH_SIZE) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def _free(taken: set[str], candidates: Iterator[str], count: int) -> list[str]:
    free = []
    for candidate in candidates:
        if candidate not in taken:
            free.append(candidate)
            if len(free) == count:
                return free
    raise RuntimeError("Ran out of free school identifiers for a bench trust.")


def _prefixes() -> Iterator[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for n in range(26**4):
        yield "B" + "".join(letters[(n // 26**p) % 26] for p in (3, 2, 1, 0))


def _schools(trust: Trust, count: int) -> list[int]:
    # Two queries for every URN and prefix in use, so bench trusts never collide with each other or real schools.
    urns = _free(
        set(School.objects.values_list("urn", flat=True)),
        (f"{n:06d}" for n in chain(range(900000, 1000000), range(100000, 900000))),
        count,
    )
    prefixes = _free(set(School.objects.values_list("reference_prefix", flat=True)), _prefixes(), count)
    created = School.objects.bulk_create(
        [
            School(
                trust=trust,
                name=f"{PLACES[i % len(PLACES)]} {'Primary School' if i % 2 == 0 else 'Academy'} {i + 1:03d}",
                urn=urns[i],
                local_authority=AUTHORITIES[i % len(AUTHORITIES)],
                reference_prefix=prefixes[i],
            )
            for i in range(count)
        ],
        batch_size=BATCH_SIZE,
    )
    ids = [s.pk for s in created]
    Term.objects.bulk_create(
        (
            Term(school_id=sid, academic_year=ACADEMIC_YEAR, name=n, starts_on=a, ends_on=b)
            for sid in ids
            for n, a, b in TERMS
        ),
        batch_size=BATCH_SIZE,
    )
    SafeguardingContact.objects.bulk_create(
        (SafeguardingContact(school_id=sid, kind=k, name=n, phone=p) for sid in ids for k, n, p in CONTACTS),
        batch_size=BATCH_SIZE,
    )
    return ids


def _people(trust: Trust, school_ids: list[int], staff_per_school: int) -> dict[int, int]:
    """Users and memberships; returns the parent persona's user id for each school id."""
    password = make_password(BENCH_PASSWORD)  # once: hashing per user would take minutes
    now = timezone.now()
    today = timezone.localdate()
    rows: list[tuple[User, Membership]] = []

    def person(email: str, full_name: str, membership: Membership) -> None:
        rows.append((User(email=email, full_name=full_name, password=password, date_joined=now), membership))

    person(
        persona_email(trust=trust, key="trust_lead"),
        "Trust Lead",
        Membership(role=Role.TRUST_LEAD, trust=trust, started_on=today),
    )
    for index, sid in enumerate(school_ids):
        for key, role, flags in SCHOOL_PERSONAS:
            person(
                persona_email(trust=trust, key=key, school_index=index),
                f"{key.replace('_', ' ').title()} {index}",
                Membership(role=role, school_id=sid, started_on=today, **flags),
            )
        for n in range(staff_per_school):
            person(
                f"teacher{n}.{index:04d}.t{trust.pk}@{EMAIL_DOMAIN}",
                f"{FORENAMES[n % len(FORENAMES)]} {SURNAMES[(n + index) % len(SURNAMES)]}",
                Membership(role=Role.STAFF, school_id=sid, started_on=today, job_title="Teacher"),
            )
    users = User.objects.bulk_create([u for u, _ in rows], batch_size=BATCH_SIZE)
    memberships = []
    for user, (_, membership) in zip(users, rows, strict=True):
        membership.user_id = user.pk
        memberships.append(membership)
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    return {m.school_id: m.user_id for m in memberships if m.role == Role.PARENT}


def _pupil_rows(trust: Trust, school_ids: list[int], total: int) -> Iterator[tuple[int, int, Pupil]]:
    """(global index, index within school, pupil) for ``total`` pupils spread evenly over the schools."""
    per_school, extra = divmod(total, len(school_ids))
    birthdays = {
        y: [datetime.date(ACADEMIC_YEAR - 5 - k, 9, 1) + datetime.timedelta(days=d) for d in range(365)]
        for y, k in YEARS_IN.items()
    }
    joined = {y: datetime.date(ACADEMIC_YEAR - (k if k < 7 else k - 7), 9, 3) for y, k in YEARS_IN.items()}
    trust_digits = f"{trust.pk % 1000:03d}"
    new_pupil = _maker(Pupil)
    n = 0
    for s_index, sid in enumerate(school_ids):
        years = PRIMARY_YEARS if s_index % 2 == 0 else SECONDARY_YEARS
        for i in range(per_school + (1 if s_index < extra else 0)):
            year = years[i % len(years)]
            yield (
                n,
                i,
                new_pupil(
                    school_id=sid,
                    upn=f"B{trust_digits}{n:08d}0",
                    legal_forename=FORENAMES[n % len(FORENAMES)],
                    surname=SURNAMES[(n // len(FORENAMES)) % len(SURNAMES)],
                    date_of_birth=birthdays[year][(n * 37) % 365],
                    year_group=year,
                    registration_group=f"{year}{'AB'[(i // len(years)) % 2]}",
                    joined_on=joined[year],
                ),
            )
            n += 1


def _pupils(
    trust: Trust,
    school_ids: list[int],
    total: int,
    *,
    guardians: bool,
    parents: dict[int, int],
    say: Callable[[str], None],
    started: float,
) -> None:
    new_guardian, new_link = _maker(Guardian), _maker(PupilGuardian)
    done = 0
    for batch in _batches(_pupil_rows(trust, school_ids, total)):
        pupils = Pupil.objects.bulk_create([p for _, _, p in batch], batch_size=BATCH_SIZE)
        carers, links = [], []
        for (n, i, _), pupil in zip(batch, pupils, strict=True):
            # Without guardians, only the parent persona's child gets one, so parents still see a child.
            if not guardians and i != 0:
                continue
            carers.append(
                new_guardian(
                    school_id=pupil.school_id,
                    full_name=f"{FORENAMES[(n + 7) % len(FORENAMES)]} {pupil.surname}",
                    email=f"carer{n}.t{trust.pk}@home.example",
                    user_id=parents[pupil.school_id] if i == 0 else None,
                )
            )
            links.append(pupil)
        carers = Guardian.objects.bulk_create(carers, batch_size=BATCH_SIZE)
        PupilGuardian.objects.bulk_create(
            [
                new_link(pupil_id=p.pk, guardian_id=g.pk, relationship="Parent")
                for p, g in zip(links, carers, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        done += len(batch)
        if done % 50_000 < BATCH_SIZE or done == total:
            say(f"  {done:,} pupils{' with guardians' if guardians else ''}: {time.perf_counter() - started:.1f}s")

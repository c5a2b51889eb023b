"""Personas: one person per role at ``school``, plus ``outsider`` at ``other_school`` in the same trust.

``sign_in(client, user)`` signs a persona in and, for roles that need it, passes two-factor as well, so
tests of pages do not repeat the sign-in dance (tests of the dance itself live in test_two_factor_*).
"""

from __future__ import annotations

import contextlib
import datetime
import time

import pytest
import time_machine
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding_portal.accounts.policy import Role

from . import clock
from .factories import ContactFactory, MembershipFactory, SchoolFactory, TrustFactory, UserFactory, enter_term_dates

SUITE_CLOCK = clock.suite_clock()
_REAL_START = time.time()


def pytest_report_header(config):
    where = "moved by " + clock.ENV if SUITE_CLOCK.shifted else "today's real date"
    notes = "; tests that freeze their own clock are left out" if SUITE_CLOCK.shifted else ""
    if share := clock.shard():
        index, count, seed = share
        notes += f"; share {index} of {count} of the tests ({clock.SHARD_ENV}={index}/{count}:{seed})"
    return (
        f"suite clock: {SUITE_CLOCK.start:%a %d %b %Y %H:%M %Z} ({where}; term dates entered: "
        f"{clock.term_dates_entered()}); replay with {SUITE_CLOCK.replay_hint()}"
        f" {clock.TERM_DATES_ENV}={clock.term_dates_entered()}{notes}"
    )


def _shard_unit(item) -> str:
    """What a share of the suite is dealt in: a test, or its whole file where a fixture wider than one test
    (``seeded_demo``, say) would otherwise be built in several shares."""
    definitions = getattr(item, "_fixtureinfo", None)
    wide = definitions and any(  # the suite's own fixtures: pytest-django's class-wide ones cost nothing
        d.scope in {"module", "class", "package"} and d.func.__module__.startswith("tests")
        for defs in definitions.name2fixturedefs.values()
        for d in defs
    )
    return item.nodeid.split("::")[0] if wide else item.nodeid


def pytest_collection_modifyitems(config, items):
    """Two ways CI keeps its moved-clock runs (stage 1b) to one extra suite's worth of time. With a moved
    clock, the tests that freeze their own clock are left out: they set the same instant whatever the suite
    day is, so the run on today's date has already run them exactly. With ``PORTAL_TEST_SHARD`` the run
    takes only its share of the tests (tests/clock.py, ``share_of``)."""
    share = clock.shard()
    if not SUITE_CLOCK.shifted and share is None:
        return
    keep = None
    if share is not None:
        index, count, seed = share
        keep = clock.share_of([_shard_unit(item) for item in items], index=index, count=count, seed=seed)
    left_out = [
        item
        for item in items
        if (SUITE_CLOCK.shifted and item.get_closest_marker("time_machine"))
        or (keep is not None and _shard_unit(item) not in keep)
    ]
    if left_out:
        dropped = set(map(id, left_out))
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if id(item) not in dropped]


# Processes the suite does not control read the real clock: a Celery worker started by an integration
# test, and Chromium holding the session cookie of a browser test. Those tests run on the real date.
_REAL_CLOCK_MARKERS = ("integration", "browser")


@contextlib.contextmanager
def on_the_suite_clock():
    """The suite day's clock (``start`` plus the real time elapsed), for fixtures wider than one test."""
    if not SUITE_CLOCK.shifted:
        yield
        return
    # The real clock's elapsed time, even inside a fixture that already moved the clock (time.time() would
    # then read the moved one and count the shift twice).
    hatch = time_machine.escape_hatch
    real_now = hatch.time.time() if hatch.is_travelling() else time.time()
    elapsed = datetime.timedelta(seconds=real_now - _REAL_START)
    with time_machine.travel(SUITE_CLOCK.start + elapsed, tick=True):
        yield


@pytest.fixture(autouse=True)
def _suite_day(request):
    """Runs every test on the suite day (tests/clock.py). A test with time-machine's own marker sets its
    clock itself; the real clock is left alone when the run is not shifted."""
    if request.node.get_closest_marker("time_machine") or any(
        request.node.get_closest_marker(m) for m in _REAL_CLOCK_MARKERS
    ):
        yield
        return
    with on_the_suite_clock():
        yield


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """``manage.py seed_demo`` run once for a module whose tests only read the demo (each test's changes still
    roll back to it); the output it printed. Rolled back when the module ends, so no other test sees it."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    with on_the_suite_clock(), django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The trust dashboard's figures refresh on commit (reports.school_figures); off by default here so that
    # tests counting queued tasks or queries count their own. Its tests turn it on.
    settings.SCHOOL_FIGURES_REFRESH_ON_COMMIT = False
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def trust(db):
    return TrustFactory(name="Riverside Learning Trust")


@pytest.fixture
def school(trust, request):
    """Oakfield has entered the term dates of last school year and of the one it is in (or, in a run with
    PORTAL_TEST_TERM_DATES=previous, only last year's: a new year whose dates nobody has entered yet; a
    test that freezes its own clock has its year's dates)."""
    school = SchoolFactory(trust=trust, name="Oakfield Primary School", reference_prefix="OAK")
    year = clock.academic_year_of(clock.today())
    enter_term_dates(school, year - 1)
    if clock.term_dates_entered() == "current" or request.node.get_closest_marker("time_machine"):
        enter_term_dates(school, year)
    ContactFactory(school=school)
    return school


@pytest.fixture
def other_school(trust):
    return SchoolFactory(trust=trust, name="Hillside Academy", reference_prefix="HIL")


def _member(school, role, email, **extra):
    user = UserFactory(email=email, full_name=email.split("@")[0].replace(".", " ").title())
    MembershipFactory(user=user, school=school, role=role, **extra)
    return user


@pytest.fixture
def staff(school):
    return _member(school, Role.STAFF, "staff@oak.example")


@pytest.fixture
def dsl(school):
    return _member(school, Role.DSL, "dsl@oak.example")


@pytest.fixture
def deputy(school):
    return _member(school, Role.DEPUTY_DSL, "deputy@oak.example")


@pytest.fixture
def head(school):
    return _member(school, Role.HEADTEACHER, "head@oak.example")


@pytest.fixture
def osl(school):
    return _member(school, Role.ONLINE_SAFETY_LEAD, "osl@oak.example")


@pytest.fixture
def technician(school):
    return _member(school, Role.TECHNICIAN, "tech@oak.example")


@pytest.fixture
def office(school):
    """The school office / data protection: logs subject access requests, never reads a safeguarding record."""
    return _member(school, Role.OFFICE, "office@oak.example")


@pytest.fixture
def governor(school):
    return _member(school, Role.GOVERNOR, "governor@oak.example", is_safeguarding_governor=True)


@pytest.fixture
def chair(school):
    return _member(school, Role.GOVERNOR, "chair@oak.example", is_chair=True)


@pytest.fixture
def parent(school):
    return _member(school, Role.PARENT, "parent@home.example")


@pytest.fixture
def trust_lead(trust):
    user = UserFactory(email="trust@riverside.example", full_name="Trust Lead")
    MembershipFactory(user=user, school=None, trust=trust, role=Role.TRUST_LEAD)
    return user


@pytest.fixture
def outsider(other_school):
    """A DSL at another school of the same trust: the most tempting neighbour."""
    return _member(other_school, Role.DSL, "dsl@hillside.example")


@pytest.fixture
def personas(staff, dsl, deputy, head, osl, technician, office, governor, chair, parent, trust_lead, outsider):
    return {
        "staff": staff,
        "dsl": dsl,
        "deputy": deputy,
        "head": head,
        "osl": osl,
        "technician": technician,
        "office": office,
        "governor": governor,
        "chair": chair,
        "parent": parent,
        "trust_lead": trust_lead,
        "outsider": outsider,
    }


def pass_two_factor(client, user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test phone", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in(client, user, *, two_factor: bool = True):
    client.force_login(user)
    if two_factor:
        pass_two_factor(client, user)
    return client


@pytest.fixture
def signed_in(client):
    def _sign_in(user, *, two_factor: bool = True):
        return sign_in(client, user, two_factor=two_factor)

    return _sign_in

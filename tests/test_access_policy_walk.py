"""Every URL of the project, requested as every persona, answers as the access policy says.

The URL list is read from the project's URLconf when the tests are collected, so a URL added by any later
issue is walked without anyone touching this file; a URL without a rule in ``policy.URL_RULES`` fails
``test_every_url_has_an_access_rule``, and a URL with a kwarg that tests/access_samples.py cannot fill
fails ``test_every_url_kwarg_has_a_sample``.

The expected status is computed from the policy (``tests/test_access_policy_matrix.py`` states the
brief's "must never see" rules by hand, so a wrong policy cannot hide behind its own mirror):

* a PUBLIC URL never answers 403, 404 or 500, to anyone;
* anonymous visitors to anything else are sent to the sign-in page;
* a 2FA role that has not passed 2FA is sent to set it up, except on the sign-in flow's own pages;
* a persona without the capability gets 403; with it, 200/302/405 and never 403/404/500;
* a member of another school gets 404 for a record of the right school, even with the capability.

No response is ever a 500: the test client re-raises a view's exception, which fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from safeguarding_portal.accounts import policy
from safeguarding_portal.accounts.models import Membership
from safeguarding_portal.accounts.policy import Role

from . import access_samples
from .access_samples import UrlCase, url_cases, walkable_cases
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# --- Coverage of the policy itself --------------------------------------------------------------------


def test_the_walk_finds_the_projects_urls():
    names = {c.view_name for c in url_cases()}
    # A walk that found nothing would pass every other test here vacuously.
    assert {"home", "accounts:login", "schools:pupil_detail", "audit:log", "admin:index"} <= names


def test_every_url_has_an_access_rule():
    missing = sorted(c.view_name for c in url_cases() if c.rule is None)
    assert not missing, (
        "These URLs have no entry in URL_RULES (safeguarding_portal/accounts/policy.py), so the middleware "
        "refuses them to everyone. Add a rule for each:\n  " + "\n  ".join(missing)
    )


def test_every_url_kwarg_has_a_sample():
    problems = []
    for case in url_cases():
        if case.positional_groups:
            problems.append(f"{case.view_name}: unnamed regex groups; use named kwargs")
        missing = access_samples.missing_samples(case.view_name, list(case.kwarg_names))
        if missing:
            problems.append(f"{case.view_name}: no sample for {', '.join(missing)}")
    assert not problems, (
        "Add samples to tests/access_samples.py (a factory making a record of ctx.school) for:\n  "
        + "\n  ".join(problems)
    )


# --- Personas -----------------------------------------------------------------------------------------

CONFTEST_PERSONAS = (
    "staff",
    "dsl",
    "deputy",
    "head",
    "osl",
    "technician",
    "office",
    "governor",
    "chair",
    "parent",
    "trust_lead",
    "outsider",
)
# Walk-only personas: every school role at once at another school (so every capability is tried across
# the boundary), a superuser with no school, an account with no school, and a DSL who has not set up 2FA.
EXTRA_PERSONAS = ("neighbour", "superuser", "no_school", "dsl_without_2fa")
PERSONAS = ("anonymous", *CONFTEST_PERSONAS, *EXTRA_PERSONAS)


@pytest.fixture
def neighbour(other_school):
    user = UserFactory(email="everything@hillside.example", full_name="Every Role Neighbour")
    for role in sorted(policy.SCHOOL_ROLES):
        MembershipFactory(user=user, school=other_school, role=role)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@portal.example", full_name="Portal Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def no_school(db):
    return UserFactory(email="nobody@oak.example", full_name="No School Yet")


@pytest.fixture
def dsl_without_2fa(school):
    user = UserFactory(email="new.dsl@oak.example", full_name="New Dsl")
    MembershipFactory(user=user, school=school, role=Role.DSL)
    return user


@dataclass(frozen=True)
class Who:
    name: str
    signed_in: bool
    two_factor_pending: bool
    school_id: int | None  # the school of their (single) context; None for a trust or no context
    has_context: bool
    caps: frozenset[policy.Cap]


def _who(name: str, user) -> Who:
    if user is None:
        return Who(name, False, False, None, False, frozenset())
    memberships = list(Membership.objects.current().filter(user=user))
    contexts = {(m.school_id, m.trust_id) for m in memberships}
    assert len(contexts) <= 1, f"walk personas work in one school or trust; {name} has {contexts}"
    roles = {m.role for m in memberships}
    pending = name == "dsl_without_2fa"
    school_id = next(iter(contexts))[0] if contexts else None
    caps = set(policy.capabilities_for(roles))
    for flag, extra in policy.FLAG_CAPABILITIES.items():
        if any(getattr(m, flag) for m in memberships):
            caps |= extra
    return Who(name, True, pending, school_id, bool(contexts), frozenset(caps))


# --- Expectations -------------------------------------------------------------------------------------

OPENS = {200, 302, 405}


@dataclass(frozen=True)
class Expect:
    statuses: frozenset[int] | None = None  # one of these...
    never: frozenset[int] = frozenset()  # ...or, for public pages, anything but these
    redirect_to: str | None = None
    why: str = ""


def expectation(case: UrlCase, who: Who, *, school_id: int, method: str) -> Expect:
    rule = case.rule
    opens = frozenset(OPENS if method == "GET" else OPENS - {405})
    if rule.access is policy.Access.PUBLIC:
        return Expect(never=frozenset({403, 404, 500}), why="public page")
    if not who.signed_in:
        return Expect(frozenset({302}), redirect_to=reverse("accounts:login"), why="anonymous: sign in first")
    if who.two_factor_pending and not rule.before_two_factor:
        return Expect(frozenset({302}), redirect_to=reverse("accounts:two_factor_setup"), why="2FA not set up")
    if rule.access in (policy.Access.SIGNED_IN, policy.Access.ADMIN):
        return Expect(opens, why=f"{rule.access.value}: any signed-in user")
    if not who.has_context:
        return Expect(frozenset({403}), why="no school or trust")
    if rule.capability not in who.caps:
        return Expect(frozenset({403}), why=f"lacks {rule.capability.value}")
    # A POST-only view answers GET with 405 before it looks at the record: that reveals nothing either.
    hidden = frozenset({404, 405}) if method == "GET" and not case.accepts_get else frozenset({404})
    if case.school_object and who.school_id != school_id:
        return Expect(hidden, why=f"has {rule.capability.value}, but the record is another school's")
    if case.object_caps and not (case.object_caps & who.caps):
        return Expect(hidden, why="has the URL's capability, but the record's object rule hides it")
    return Expect(opens, why=f"has {rule.capability.value} at the right school")


def _check(response, expect: Expect, label: str) -> None:
    status = response.status_code
    where = response.get("Location", "")
    detail = f"{label}: got {status}{' -> ' + where if where else ''}; expected because {expect.why}"
    assert status != 500, detail
    if expect.statuses is not None:
        assert status in expect.statuses, f"{detail}: one of {sorted(expect.statuses)}"
    assert status not in expect.never, f"{detail}: never {sorted(expect.never)}"
    if expect.redirect_to:
        assert where.split("?")[0] == expect.redirect_to, f"{detail}: should redirect to {expect.redirect_to}"


# --- The walk -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", walkable_cases(), ids=lambda c: c.view_name)
def test_url_answers_each_persona_as_the_policy_says(case, persona, request, client, school, other_school):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if user is not None:
        from .conftest import sign_in

        sign_in(client, user, two_factor=persona != "dsl_without_2fa")
    who = _who(persona, user)
    ctx = access_samples.SampleContext(school=school, client=client, user=user)
    try:
        url = reverse(case.view_name, kwargs=access_samples.url_kwargs(case.view_name, list(case.kwarg_names), ctx))
    except access_samples.MissingSample as exc:
        pytest.fail(str(exc))

    get = client.get(url)
    _check(get, expectation(case, who, school_id=school.pk, method="GET"), f"GET {url} as {persona}")

    # POST-only views are POSTed by everyone; a view that refuses GET must have been recognised as such.
    if get.status_code == 405:
        assert not case.accepts_get, f"{case.view_name} answered GET with 405; teach _accepts_get() about it"
    if not case.accepts_get:
        post = client.post(url, {})
        _check(post, expectation(case, who, school_id=school.pk, method="POST"), f"POST {url} as {persona}")


def test_anonymous_htmx_requests_are_told_to_sign_in_instead_of_getting_a_page(client, school):
    # An HTMX swap cannot follow a redirect to the sign-in page; the middleware answers 401 with HX-Redirect.
    ctx = access_samples.SampleContext(school=school, client=client)
    checked = 0
    for case in walkable_cases():
        if case.rule.access is policy.Access.PUBLIC:
            continue
        url = reverse(case.view_name, kwargs=access_samples.url_kwargs(case.view_name, list(case.kwarg_names), ctx))
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 401, url
        assert response["HX-Redirect"].startswith(reverse("accounts:login") + "?next="), url
        checked += 1
    assert checked > 20

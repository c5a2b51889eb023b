"""A NUL byte in a request (path, query, form field, cookie or header) is answered 400 at every URL, before any
view or the session store hands it to PostgreSQL, which refuses NUL in text and so turned such requests into 500s
(``/incidents/case/%00/``, ``?q=%00`` on the dashboard, the pupils and audit pages...).

The URLs are the access walk's (tests/access_samples.py), so a URL added later is covered without touching this
file. Each is requested by an anonymous visitor and by one person holding every school role (the views run, the
queries with them).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from safeguarding_portal.accounts import policy

from . import access_samples
from .access_samples import walkable_cases
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = {400}
# A NUL in the path: refused before routing (400), or a converter that cannot take it does not match (404).
PATH_REFUSED = {400, 404}


@pytest.fixture
def everyone_at_school(school):
    user = UserFactory(email="all.roles@oak.example", full_name="All Roles")
    for role in sorted(policy.SCHOOL_ROLES):
        MembershipFactory(user=user, school=school, role=role, is_chair=role == policy.Role.GOVERNOR)
    return user


def _urls(client, school, user):
    ctx = access_samples.SampleContext(school=school, client=client, user=user)
    for case in walkable_cases():
        kwargs = access_samples.url_kwargs(case.view_name, list(case.kwarg_names), ctx)
        yield case, reverse(case.view_name, kwargs=kwargs), kwargs


def _nul_paths(case, kwargs):
    """The URL with each text kwarg replaced by a NUL (int and uuid converters would not match one)."""
    for name, value in kwargs.items():
        if isinstance(value, str):
            try:
                yield reverse(case.view_name, kwargs={**kwargs, name: "\x00"})
            except Exception:  # noqa: S112 (a converter that refuses a NUL cannot route one either)
                continue


def _walk(client, school, user) -> list[str]:
    from .conftest import sign_in

    wrong = []
    for case, url, kwargs in _urls(client, school, user):
        if user is not None:
            sign_in(client, user)  # again: the walk passes through the sign-out page too
        for label, response, allowed in (
            ("query", client.get(url + "?q=%00&page=%00"), REFUSED),
            ("query key", client.get(url + "?%00=1"), REFUSED),
            ("form field", client.post(url, {"q": "a\x00b", "text": "\x00"}), REFUSED),
            ("header", client.get(url, HTTP_USER_AGENT="Mozilla\x00"), REFUSED),
            *((f"path {p}", client.get(p), PATH_REFUSED) for p in _nul_paths(case, kwargs)),
        ):
            if response.status_code not in allowed:
                wrong.append(f"{case.view_name} ({url}) {label}: {response.status_code}")
    return wrong


@pytest.mark.timeout(600)
def test_every_url_refuses_nul_bytes_for_anonymous_visitors(client, school):
    wrong = _walk(client, school, None)
    assert not wrong, "\n".join(wrong)


@pytest.mark.timeout(600)
def test_every_url_refuses_nul_bytes_for_someone_holding_every_role(client, school, everyone_at_school, settings):
    # The agreement gate (tested on its own) would send every page to the staff agreement: here the views run.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "aup.middleware.AgreementGateMiddleware"]

    wrong = _walk(client, school, everyone_at_school)
    assert not wrong, "\n".join(wrong)


def test_a_nul_in_the_session_cookie_is_refused_before_the_session_store_reads_it(client, school):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijkl"

    response = client.get(reverse("accounts:login"))

    assert response.status_code == 400


def test_the_refusal_is_the_friendly_bad_request_page(client, school):
    response = client.get(reverse("accounts:login") + "?next=%00")

    assert response.status_code == 400
    assert b"<html" in response.content.lower()


def test_ordinary_requests_are_untouched(client, school):
    assert client.get(reverse("accounts:login") + "?next=/home/").status_code == 200

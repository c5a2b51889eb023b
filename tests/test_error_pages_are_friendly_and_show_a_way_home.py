"""Error pages say what happened and what to do next, in the portal's own words; nothing leaks debug detail."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from safeguarding_portal.accounts.policy import Role
from safeguarding_portal.core import errors

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_debug_is_off_in_tests():
    # Otherwise Django would show its own technical pages and these tests would prove nothing.
    assert settings.DEBUG is False


def test_an_unknown_address_gets_the_friendly_404_with_a_way_home(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert f'href="{reverse("home")}"' in body
    assert "Traceback" not in body and "URLconf" not in body


def test_the_404_for_a_signed_in_member_of_two_schools_suggests_switching(client, signed_in, staff, other_school):
    MembershipFactory(user=staff, school=other_school, role=Role.STAFF)
    signed_in(staff)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert b"switch school first" in response.content


def test_the_403_page_explains_what_to_do(client, signed_in, staff):
    signed_in(staff)

    response = client.get(reverse("audit:log"))

    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-testid="access-denied"' in body
    assert "Your role at Oakfield Primary School does not include this page." in body
    assert "ask your headteacher or Designated Safeguarding Lead" in body
    assert "call 999" in body
    assert f'href="{reverse("home")}"' in body


def test_the_403_page_for_a_member_of_two_schools_mentions_switching(client, signed_in, staff, other_school):
    MembershipFactory(user=staff, school=other_school, role=Role.STAFF)
    signed_in(staff)

    response = client.get(reverse("audit:log"))

    assert response.status_code == 403
    assert b"check the school you are working in" in response.content


def test_a_failed_csrf_check_gets_the_friendly_page(staff):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)

    response = strict.post(reverse("switch_context"), {"context": "school:1"})

    assert response.status_code == 403
    main = response.content.decode().split('<main id="main"')[1].split("</main>")[0]
    assert "That form had expired" in main
    assert "Nothing was saved." in main
    assert "CSRF" not in main  # no jargon


def test_the_400_page_is_friendly(rf: RequestFactory):
    request = rf.get("/")
    response = errors.bad_request(request)

    assert response.status_code == 400
    assert b"Something was wrong with that request" in response.content


def test_the_500_page_stands_alone_and_tells_a_reporter_what_to_do(rf: RequestFactory):
    response = errors.server_error(rf.get("/"))

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "tell the Designated Safeguarding Lead in person now" in body
    assert 'href="/"' in body


def test_a_view_that_crashes_answers_with_the_500_page(client, signed_in, dsl, monkeypatch):
    from safeguarding_portal.schools import views

    def crash(*, school):
        raise RuntimeError("bug")

    monkeypatch.setattr(views.selectors, "staff", crash)
    signed_in(dsl)
    client.raise_request_exception = False

    response = client.get(reverse("schools:staff_list"))

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"RuntimeError" not in response.content

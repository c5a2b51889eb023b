"""The parents' signing page is the start-of-year rush: opening a link and signing cost a fixed, small number
of statements, whatever the number of children, with no savepoints inside the request's transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aup import services
from aup.models import Signature

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def _open_and_sign(client, school, *, children: int, email: str) -> tuple[list[str], list[str]]:
    fam = f.family(school, children=children, email=email)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    with CaptureQueriesContext(connection) as opened:
        assert client.get(url).status_code == 200
    form = f.sign_form(invitation)
    with CaptureQueriesContext(connection) as signed:
        assert client.post(url, form).status_code == 302
    assert Signature.objects.filter(request__invitation=invitation).count() == children
    return [q["sql"] for q in opened.captured_queries], [q["sql"] for q in signed.captured_queries]


def test_opening_and_signing_do_not_grow_with_the_children_and_nest_no_savepoints(client, school):
    # The school's first signing creates its chain heads: not the rush's steady state.
    _open_and_sign(client, school, children=2, email="first@home.example")
    one_open, one_sign = _open_and_sign(client, school, children=1, email="one@home.example")
    three_open, three_sign = _open_and_sign(client, school, children=3, email="three@home.example")
    assert len(three_open) == len(one_open) <= 8
    assert len(three_sign) == len(one_sign) <= 16
    # One transaction each (a savepoint inside the test's own transaction), none nested inside it.
    assert sum(sql.startswith("SAVEPOINT") for sql in one_open) == 1
    assert sum(sql.startswith("SAVEPOINT") for sql in one_sign) == 1

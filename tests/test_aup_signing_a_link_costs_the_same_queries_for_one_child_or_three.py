"""The parents' signing page is the start-of-year rush: opening a link, signing and the receipt page cost a
fixed, small number of statements, whatever the number of children, with no savepoints inside the request's
transaction; opening the link writes one UPDATE and never touches the school's evidence chain."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aup import services
from aup.models import Signature

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def _open_and_sign(client, school, *, children: int, email: str) -> tuple[list[str], list[str], list[str]]:
    fam = f.family(school, children=children, email=email)
    invitation = f.invitation_of(f.campaign(school, notify=False), fam.guardian)
    url = reverse("aup:sign", args=[services.signing_token(invitation)])
    with CaptureQueriesContext(connection) as opened:
        assert client.get(url).status_code == 200
    form = f.sign_form(invitation)
    with CaptureQueriesContext(connection) as signed:
        response = client.post(url, form)
    assert response.status_code == 302
    assert Signature.objects.filter(request__invitation=invitation).count() == children
    with CaptureQueriesContext(connection) as receipt:
        assert client.get(response["Location"]).status_code == 200
    return [[q["sql"] for q in c.captured_queries] for c in (opened, signed, receipt)]


def test_opening_and_signing_do_not_grow_with_the_children_and_nest_no_savepoints(client, school):
    # The school's first signing creates its chain heads: not the rush's steady state.
    _open_and_sign(client, school, children=2, email="first@home.example")
    one_open, one_sign, one_receipt = _open_and_sign(client, school, children=1, email="one@home.example")
    three_open, three_sign, three_receipt = _open_and_sign(client, school, children=3, email="three@home.example")
    # Opening: the invitation (with its campaign, school, version, agreement and parent, by the token's index),
    # the children's requests, and the UPDATE that records the opening. No transaction, no chain.
    assert len(three_open) == len(one_open) == 3, one_open
    assert not any("chainhead" in sql.lower() or "signatureevent" in sql.lower() for sql in one_open)
    assert sum(sql.startswith("SAVEPOINT") for sql in one_open) == 0
    assert len(three_sign) == len(one_sign) <= 17, one_sign
    assert len(three_receipt) == len(one_receipt) <= 3, one_receipt
    # Signing is one transaction (a savepoint inside the test's own transaction), none nested inside it.
    assert sum(sql.startswith("SAVEPOINT") for sql in one_sign) == 1

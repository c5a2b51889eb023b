"""Every page a governor, a parent or the trust lead can open is free of children they must not see.

The brief: governors never see "anything that identifies a child", parents nothing "about any other
child", the trust lead no identifiable record. Rather than trust each template, this walks every URL of
the project (the same list as the access walk, so it grows with every issue) as each of them, with
children of distinctive names at both schools, and searches each page for those names.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from . import access_samples
from .access_samples import walkable_cases
from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory

pytestmark = pytest.mark.django_db

HIDDEN_NAMES = ("Zebedee", "Quillfeather", "Q12345678901A", "Ottoline", "Marchbanks", "Q12345678902A", "Walkersample")
OWN_CHILD = ("Persimmon", "Ashdown")


@pytest.fixture
def children(school, other_school, parent):
    PupilFactory(school=school, upn="Q12345678901A", legal_forename="Zebedee", surname="Quillfeather")
    PupilFactory(school=other_school, upn="Q12345678902A", legal_forename="Ottoline", surname="Marchbanks")
    # The parent's own child, whom the parent may see: proves the search below looks at real pages.
    own = PupilFactory(school=school, legal_forename=OWN_CHILD[0], surname=OWN_CHILD[1])
    PupilGuardianFactory(pupil=own, guardian=GuardianFactory(school=school, user=parent, full_name="A Parent"))
    return own


def test_the_parent_does_see_their_own_child(client, signed_in, parent, children):
    signed_in(parent)
    body = client.get(reverse("home")).content.decode()
    assert OWN_CHILD[0] in body
    assert "Zebedee" not in body


@pytest.mark.parametrize("persona", ["governor", "chair", "parent", "trust_lead"])
@pytest.mark.parametrize("case", walkable_cases(), ids=lambda c: c.view_name)
def test_page_names_no_child_the_persona_must_not_see(case, persona, request, client, signed_in, school, children):
    user = request.getfixturevalue(persona)
    signed_in(user)
    ctx = access_samples.SampleContext(school=school, client=client, user=user)
    url = reverse(case.view_name, kwargs=access_samples.url_kwargs(case.view_name, list(case.kwarg_names), ctx))

    response = client.get(url, follow=True)

    body = response.content.decode(errors="replace")
    for name in HIDDEN_NAMES:
        assert name not in body, f"{persona} saw {name!r} at {url}"
    if persona != "parent":
        assert OWN_CHILD[1] not in body, f"{persona} saw {OWN_CHILD[1]!r} at {url}"

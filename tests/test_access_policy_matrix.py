"""The brief's "must never see" rules, written out by hand.

The URL walk computes its expectations from the policy, so a wrong line in the policy would be mirrored
by the walk. This table is the independent statement, taken from the "who uses it" table of the brief:
change it only when the brief changes.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding_portal.accounts.context import SESSION_KEY

from .factories import MembershipFactory, PupilFactory

pytestmark = pytest.mark.django_db

# Distinctive names: if one of these appears on a page, the page identified a child.
OAK_CHILD = ("Zebedee", "Quillfeather")
HILL_CHILD = ("Ottoline", "Marchbanks")


@pytest.fixture
def oak_pupil(school):
    return PupilFactory(school=school, legal_forename=OAK_CHILD[0], surname=OAK_CHILD[1])


@pytest.fixture
def hill_pupil(other_school):
    return PupilFactory(school=other_school, legal_forename=HILL_CHILD[0], surname=HILL_CHILD[1])


def _url(name: str, pupil) -> str:
    if name in ("schools:pupil_detail", "schools:pupil_flags"):
        return reverse(name, kwargs={"pupil_id": pupil.pk})
    if name == "incidents:pupil_options":
        return reverse(name) + "?pupil_q=" + OAK_CHILD[1][:4]
    if name == "schools:pupil_list":
        return reverse(name) + "?left=1"
    return reverse(name)


# (url name, persona): refused with 403.
MUST_NOT_OPEN = [
    # Governors never see anything that identifies a child; parents nothing about any other child; the
    # trust lead no identifiable record; technicians and ordinary staff do not browse pupil records.
    *[
        (url, who)
        for url in ("schools:pupil_list", "schools:pupil_detail")
        for who in ("staff", "technician", "governor", "chair", "parent", "trust_lead")
    ],
    *[("incidents:pupil_options", who) for who in ("governor", "chair", "parent", "trust_lead")],
    # A pupil's vulnerability flags are the DSL team's alone: not even the head, who opens pupil records.
    *[
        ("schools:pupil_flags", who)
        for who in ("staff", "osl", "head", "technician", "governor", "chair", "parent", "trust_lead")
    ],
    # The audit log names who looked at which child's record: the DSL and the head only.
    *[("audit:log", who) for who in ("staff", "osl", "technician", "governor", "chair", "parent", "trust_lead")],
    # Importing from the MIS writes every child's record.
    *[
        (url, who)
        for url in ("schools:import", "schools:import_template")
        for who in ("staff", "technician", "governor", "chair", "parent", "trust_lead")
    ],
    ("emergency_contacts", "parent"),
    ("emergency_contacts", "trust_lead"),
    # School settings (contacts, terms) are the DSL's and the head's to change.
    *[
        (url, who)
        for url in ("schools:settings", "schools:contacts_edit", "schools:terms_edit")
        for who in ("staff", "technician", "governor", "parent", "trust_lead")
    ],
    # Trust aggregates are for the trust lead; a school's own roles have their own school's pages.
    *[("schools:trust_overview", who) for who in ("staff", "dsl", "head", "governor", "parent", "outsider")],
]

# (url name, persona): opened (200). The other half of each rule: a policy that refused everyone would
# pass MUST_NOT_OPEN.
MUST_OPEN = [
    *[(url, who) for url in ("schools:pupil_list", "schools:pupil_detail") for who in ("dsl", "deputy", "head")],
    *[("schools:pupil_flags", who) for who in ("dsl", "deputy")],
    *[("incidents:pupil_options", who) for who in ("staff", "technician", "dsl")],  # reporting a concern
    ("audit:log", "dsl"),
    ("audit:log", "head"),
    ("schools:import", "dsl"),
    *[("emergency_contacts", who) for who in ("staff", "technician", "dsl", "head", "osl")],
    ("schools:trust_overview", "trust_lead"),
]


@pytest.mark.parametrize(("url_name", "persona"), MUST_NOT_OPEN, ids=lambda v: v)
def test_persona_must_not_open(url_name, persona, request, client, signed_in, oak_pupil):
    signed_in(request.getfixturevalue(persona))
    response = client.get(_url(url_name, oak_pupil))
    assert response.status_code == 403
    assert OAK_CHILD[1].encode() not in response.content


@pytest.mark.parametrize(("url_name", "persona"), MUST_OPEN, ids=lambda v: v)
def test_persona_may_open(url_name, persona, request, client, signed_in, oak_pupil):
    signed_in(request.getfixturevalue(persona))
    response = client.get(_url(url_name, oak_pupil))
    assert response.status_code == 200


def test_trust_lead_sees_only_aggregates(client, signed_in, trust_lead, school, other_school, oak_pupil, hill_pupil):
    PupilFactory(school=school, legal_forename="Second", surname="Oakpupil")
    signed_in(trust_lead)

    response = client.get(reverse("schools:trust_overview"))

    assert response.status_code == 200
    body = response.content.decode()
    assert school.name in body and other_school.name in body
    assert 'data-testid="on-roll">2<' in body  # Oakfield's count
    assert 'data-testid="trust-on-roll">3<' in body  # the trust's total
    for name in (*OAK_CHILD, *HILL_CHILD, "Oakpupil"):
        assert name not in body


def test_trust_lead_cannot_open_a_pupil_record_of_a_trust_school(client, signed_in, trust_lead, oak_pupil):
    signed_in(trust_lead)
    response = client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": oak_pupil.pk}))
    assert response.status_code == 403
    assert OAK_CHILD[1].encode() not in response.content


def test_dsl_gets_404_for_another_schools_pupil(client, signed_in, dsl, hill_pupil):
    signed_in(dsl)
    response = client.get(reverse("schools:pupil_detail", kwargs={"pupil_id": hill_pupil.pk}))
    assert response.status_code == 404
    assert HILL_CHILD[1].encode() not in response.content


def test_dsl_cannot_reach_another_schools_pupil_by_switching_through_the_url(
    client, signed_in, dsl, other_school, hill_pupil
):
    signed_in(dsl)
    url = reverse("schools:pupil_detail", kwargs={"pupil_id": hill_pupil.pk})

    # A forged switch to a school they are not a member of is refused...
    client.post(reverse("switch_context"), {"context": f"school:{other_school.pk}", "next": url})
    assert client.session.get(SESSION_KEY) != f"school:{other_school.pk}"
    # ...and neither the forged choice nor a school named in the query string opens the record.
    for attempt in (url, f"{url}?context=school:{other_school.pk}", f"{url}?school={other_school.pk}"):
        response = client.get(attempt)
        assert response.status_code == 404, attempt
        assert HILL_CHILD[1].encode() not in response.content


def test_dsl_at_both_schools_must_switch_before_opening_the_other_schools_pupil(
    client, signed_in, dsl, school, other_school, hill_pupil
):
    MembershipFactory(user=dsl, school=other_school, role="dsl")
    signed_in(dsl)
    url = reverse("schools:pupil_detail", kwargs={"pupil_id": hill_pupil.pk})
    session = client.session
    session[SESSION_KEY] = f"school:{school.pk}"
    session.save()

    assert client.get(url).status_code == 404

    client.post(reverse("switch_context"), {"context": f"school:{other_school.pk}"})
    response = client.get(url)
    assert response.status_code == 200
    assert HILL_CHILD[1].encode() in response.content

"""Home: a parent sees each child and whether signed; staff their own signature; the office the campaign."""

import pytest
from django.urls import reverse

from aup import services
from aup.models import Audience

from . import factories_aup as f
from .factories import GuardianFactory, PupilFactory, PupilGuardianFactory

pytestmark = pytest.mark.django_db


def test_a_parent_sees_one_child_signed_and_one_waiting_with_a_link_to_sign(client, signed_in, school, parent):
    guardian = GuardianFactory(school=school, email=parent.email, user=parent, full_name="Parent Home")
    isla = PupilFactory(school=school, legal_forename="Isla", surname="Home", year_group="1", registration_group="1A")
    oliver = PupilFactory(
        school=school, legal_forename="Oliver", surname="Home", year_group="4", registration_group="4B"
    )
    PupilGuardianFactory(pupil=isla, guardian=guardian)
    entry = f.campaign(school, scope="class", value="1A", notify=False)
    f.sign_invitation(f.invitation_of(entry, guardian))
    # Oliver joins later: the whole-school campaign asks for him only (Isla holds a current signature).
    PupilGuardianFactory(pupil=oliver, guardian=guardian)
    whole = f.campaign(school, notify=False)
    signed_in(parent)
    home = client.get(reverse("home")).content.decode()
    assert "Isla Home" in home and "Oliver Home" in home
    assert home.index("signed", home.index("Isla Home")) < home.index("Oliver Home")
    assert "not signed yet" in home[home.index("Oliver Home") :]
    page = client.get(reverse("aup:index"))
    sign_url = reverse("aup:sign", args=[services.signing_token(f.invitation_of(whole, guardian))])
    assert sign_url in page.content.decode()


def test_staff_see_their_signature_and_the_office_sees_progress(client, signed_in, school, staff, dsl):
    v = f.published(school, Audience.STAFF)
    services.sign_own(school=school, user=staff, version=v, evidence=f.EVIDENCE, issue_certificate=False)
    services.sign_own(school=school, user=dsl, version=v, evidence=f.EVIDENCE, issue_certificate=False)
    fam = f.family(school)
    camp = f.campaign(school, notify=False)
    f.sign_invitation(f.invitation_of(camp, fam.guardian))
    f.family(school, email="late@home.example", children=1)
    signed_in(staff)
    home = client.get(reverse("home")).content.decode()
    assert 'Staff acceptable use agreement: <span class="text-success fw-semibold">signed' in home
    signed_in(dsl)
    home = client.get(reverse("home")).content.decode()
    assert "2 of the 2 children this campaign asked for are signed for" in home

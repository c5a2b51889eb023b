"""A teacher records which pupils of a class agreed (date, teacher as witness) and sees their photo consents."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from aup import services
from aup.models import Audience, Signature

from . import factories_aup as f
from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def test_recording_a_class_with_date_and_witness(client, signed_in, school, staff):
    younger = f.published(school, Audience.PUPIL_YOUNGER)
    older = f.published(school, Audience.PUPIL_OLDER)
    ana = PupilFactory(school=school, registration_group="1A", year_group="1", legal_forename="Ana")
    ben = PupilFactory(school=school, registration_group="1A", year_group="1", legal_forename="Ben")
    signed_in(staff)
    url = reverse("aup:class", args=["1A"])
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(url, {"pupil": [ana.pk], "agreed_on": day.isoformat()})
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.pupil == ana and signature.witness == staff and signature.agreed_on == day
    assert signature.version == younger and signature.version != older
    # Already recorded pupils are not recorded twice; nobody ticked says so.
    client.post(url, {"pupil": [ana.pk, ben.pk], "agreed_on": day.isoformat()})
    assert Signature.objects.filter(pupil=ana).count() == 1 and Signature.objects.filter(pupil=ben).count() == 1
    empty = client.post(url, {"agreed_on": day.isoformat()})
    assert b"Tick the pupils" in empty.content
    future = client.post(url, {"pupil": [ana.pk], "agreed_on": (day + datetime.timedelta(days=5)).isoformat()})
    assert b"in the future" in future.content


def test_can_i_publish_this_class_photo(client, signed_in, school, staff):
    yes = f.family(school, email="yes@home.example", children=1, class_name="5B")
    no = f.family(school, email="no@home.example", children=1, class_name="5B")
    camp = f.campaign(school, notify=False)
    f.sign_invitation(f.invitation_of(camp, yes.guardian))
    (signature,) = f.sign_invitation(f.invitation_of(camp, no.guardian))
    services.change_consent(signature=signature, key="press", given=False, actor="Parent")
    signed_in(staff)
    page = client.get(reverse("aup:class", args=["5B"]))
    assert page.status_code == 200
    publishable = {item["key"]: (ok, n) for item, ok, n in page.context["data"]["publishable"]}
    assert publishable["website"] == (True, 0) and publishable["press"] == (False, 1)
    export = client.get(reverse("aup:class", args=["5B"]) + "?format=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "pupil" and len(rows) == 3
    assert "no" in rows[1] + rows[2]


def test_technicians_and_governors_never_see_a_class(client, signed_in, technician, governor):
    for user in (technician, governor):
        signed_in(user)
        assert client.get(reverse("aup:class", args=["5B"])).status_code == 403

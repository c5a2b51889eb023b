"""The compliance register: for each audience who holds a current signature, an old one, or none."""

import csv
import io

import pytest
from django.urls import reverse

from aup import services
from aup.models import Audience

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_staff_register_and_export(client, signed_in, school, staff, dsl, osl):
    v1 = f.published(school, Audience.STAFF)
    services.sign_own(school=school, user=staff, version=v1, evidence=f.EVIDENCE, issue_certificate=False)
    v2 = f.published(school, Audience.STAFF, text="Version two", requires_resign=True)
    services.sign_own(school=school, user=osl, version=v2, evidence=f.EVIDENCE, issue_certificate=False)
    signed_in(dsl)
    page = client.get(reverse("aup:register", args=["staff"]))
    assert page.status_code == 200
    assert page.context["counts"] == {"current": 1, "old": 1, "none": 1}
    only_none = client.get(reverse("aup:register", args=["staff"]) + "?state=none")
    assert [r["name"] for r in only_none.context["rows"]] == [dsl.full_name]
    export = client.get(reverse("aup:register", args=["staff"]) + "?format=csv")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert rows[staff.full_name]["state"] == "Older version only"
    assert rows[osl.full_name]["state"] == "Current version" and rows[osl.full_name]["version"] == "2"


def test_parents_register_counts_children(client, signed_in, school, dsl):
    fam = f.family(school)
    f.family(school, email="x@home.example", children=1)
    f.sign_invitation(f.invitation_of(f.campaign(school, notify=False), fam.guardian))
    signed_in(dsl)
    page = client.get(reverse("aup:register", args=[Audience.PARENT]))
    assert page.context["counts"] == {"current": 2, "old": 0, "none": 1}


def test_an_unknown_audience_is_not_found(client, signed_in, dsl):
    signed_in(dsl)
    assert client.get(reverse("aup:register", args=["nobody"])).status_code == 404

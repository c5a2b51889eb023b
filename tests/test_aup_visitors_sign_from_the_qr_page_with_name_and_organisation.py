"""Visitors sign on the office tablet or their phone from a QR code; a double tap records once."""

import uuid

import pytest
from django.urls import reverse

from aup.models import Audience, Signature

from . import factories_aup as f

pytestmark = pytest.mark.django_db


def test_a_visitor_signs_with_name_and_organisation_once(client, school):
    version = f.published(school, Audience.VISITOR)
    url = reverse("aup:visitor", args=[version.agreement.public_key])
    page = client.get(url)
    assert page.status_code == 200 and version.sha256.encode() in page.content
    token = str(uuid.uuid4())
    data = {
        "full_name": "Alex Visitor",
        "organisation": "Wiltshire Library Service",
        "agree": "on",
        "submission_token": token,
    }
    first = client.post(url, data, REMOTE_ADDR="192.0.2.44")
    second = client.post(url, data, REMOTE_ADDR="192.0.2.44")
    assert first.status_code == 200 and b"Thank you, A. V." in first.content
    assert second.status_code == 200
    signature = Signature.objects.get()
    assert signature.organisation == "Wiltshire Library Service" and signature.ip_address == "192.0.2.44"
    assert signature.audience == Audience.VISITOR and signature.version == version


def test_the_visitor_page_needs_the_organisation_and_an_unknown_key_names_nothing(client, school):
    version = f.published(school, Audience.VISITOR)
    url = reverse("aup:visitor", args=[version.agreement.public_key])
    response = client.post(url, {"full_name": "Alex Visitor", "agree": "on", "submission_token": str(uuid.uuid4())})
    assert response.status_code == 200 and b"Not signed yet" in response.content
    unknown = client.get(reverse("aup:visitor", args=[uuid.uuid4()]))
    assert unknown.status_code == 404 and b"Oakfield" not in unknown.content
    assert not Signature.objects.exists()


def test_the_office_prints_the_qr_code(client, signed_in, school, dsl):
    f.published(school, Audience.VISITOR)
    signed_in(dsl)
    response = client.get(reverse("aup:visitor_qr"))
    assert response.status_code == 200 and b"<svg" in response.content

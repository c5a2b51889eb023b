"""A receiving portal imports a bundle made by another, separately configured deployment (its own SECRET_KEY,
site and school key): it verifies it with the key the bundle carries, shows the fingerprint to compare out of
band, and files it under the pupil. A tampered one is refused at import, naming the first broken link."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from incidents import bundles, transfer_bundles
from incidents.models import ReceivedBundle, SigningKey

from .bundle_helpers import leaver_with_records, produced
from .conftest import sign_in
from .factories import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def made_elsewhere(school, staff, dsl):
    with override_settings(SECRET_KEY="deployment-A-" + "x" * 50, SITE_URL="https://portal-a.example"):
        pupil = leaver_with_records(school=school, reporter=staff, cases=2)
        transfer = produced(school=school, dsl=dsl, pupil=pupil)
        data, _, count, fingerprint = transfer_bundles.build_bytes(
            school=school, transfer=transfer, by=dsl, to={"name": "Hillside Academy"}
        )
    # Deployment B never had A's key: forget it here, as another database would never have held it.
    SigningKey.objects.filter(school=school).update(retired_at="2000-01-01T00:00Z")
    return pupil, data, count, fingerprint


@override_settings(SECRET_KEY="deployment-B-" + "y" * 50, SITE_URL="https://portal-b.example")
def test_imported_verified_fingerprint_shown_and_filed(client, other_school, made_elsewhere):
    pupil, data, count, fingerprint = made_elsewhere
    from safeguarding_portal.accounts.policy import Role

    from .factories import MembershipFactory, UserFactory

    receiving_dsl = UserFactory(email="dsl@hill.example")
    MembershipFactory(user=receiving_dsl, school=other_school, role=Role.DSL)
    arrived = PupilFactory(school=other_school, upn=pupil.upn)
    sign_in(client, receiving_dsl)

    upload = SimpleUploadedFile("bundle.zip", data, content_type="application/zip")
    response = client.post(reverse("incidents:received_list"), {"bundle": upload, "fingerprint": fingerprint})
    received = ReceivedBundle.objects.get(school=other_school)
    assert response.status_code == 302 and response["Location"] == reverse("incidents:received", args=[received.pk])
    assert received.source == "upload" and received.record_count == count and received.fingerprint == fingerprint
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="verified"' in page and bundles.spaced(fingerprint) in page
    assert "Compare it with the fingerprint" in page  # no key on record for a school of another deployment

    client.post(response["Location"], {"pupil": arrived.pk})
    received.refresh_from_db()
    assert received.state == "accepted" and received.pupil == arrived
    chronology = client.get(reverse("incidents:chronology", args=[arrived.pk])).content.decode()
    assert "Concern number 1 about Sam." in chronology


@override_settings(SECRET_KEY="deployment-B-" + "y" * 50)
def test_a_tampered_bundle_is_refused_at_import_naming_the_first_broken_link(client, other_school, made_elsewhere):
    _, data, count, _ = made_elsewhere
    from safeguarding_portal.accounts.policy import Role

    from .factories import MembershipFactory, UserFactory

    receiving_dsl = UserFactory(email="dsl2@hill.example")
    MembershipFactory(user=receiving_dsl, school=other_school, role=Role.DSL)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    doc = json.loads(members["records.json"])
    doc["records"][1]["data"]["text"] = "Changed."
    members["records.json"] = json.dumps(doc).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    sign_in(client, receiving_dsl)
    response = client.post(reverse("incidents:received_list"), {"bundle": SimpleUploadedFile("b.zip", out.getvalue())})
    assert response.status_code == 200
    assert f"record 2 of {count}" in response.content.decode()
    assert not ReceivedBundle.objects.filter(school=other_school).exists()

    checked = client.post(reverse("incidents:bundle_verify"), {"bundle": SimpleUploadedFile("b.zip", out.getvalue())})
    assert b'data-testid="refused"' in checked.content and f"record 2 of {count}".encode() in checked.content

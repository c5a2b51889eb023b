"""A member of staff records their own training with a certificate; bad files are refused and lose nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from curriculum import constants
from curriculum.models import TrainingRecord

from . import factories_curriculum as f

pytestmark = pytest.mark.django_db


def _post(client, school, upload, **extra):
    data = {
        "requirement": f.requirement(school, "annual_update").pk,
        "course": "Online safety update 2026",
        "provider": "NSPCC Learning",
        "completed_on": "2026-09-03",
        "hours": "1.5",
    } | extra
    if upload is not None:
        data["certificate"] = upload
    return client.post(reverse("curriculum:my_training_add"), data)


def test_a_pdf_certificate_is_stored_with_its_record(client, signed_in, school, staff):
    signed_in(staff)
    response = _post(client, school, SimpleUploadedFile("cert.pdf", f.PDF, content_type="application/pdf"))
    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=staff)
    assert record.certificate_type == "application/pdf" and record.certificate_name == "cert.pdf"
    assert record.expires_on == datetime.date(2027, 9, 3)
    assert record.certificate.read().startswith(b"%PDF")
    assert "cert.pdf" not in record.certificate.name  # stored under an unguessable name


def test_an_image_certificate_is_accepted(client, signed_in, school, staff):
    signed_in(staff)
    assert _post(client, school, SimpleUploadedFile("c.png", f.PNG, content_type="image/png")).status_code == 302
    assert TrainingRecord.objects.get(user=staff).certificate_type == "image/png"


def test_a_program_renamed_as_a_pdf_is_refused_and_what_was_typed_is_kept(client, signed_in, school, staff):
    signed_in(staff)
    fake = SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 this is a windows program", content_type="application/pdf")
    response = _post(client, school, fake)
    body = response.content.decode()
    assert response.status_code == 200
    assert "is not a file we accept" in body and "PDF, PNG, JPEG" in body
    assert 'value="Online safety update 2026"' in body
    assert not TrainingRecord.objects.filter(user=staff).exists()


def test_a_file_over_the_size_limit_is_refused(client, signed_in, school, staff, settings):
    signed_in(staff)
    body = f.PDF + b"0" * (constants.MAX_UPLOAD_BYTES + 1)
    big = SimpleUploadedFile("scan.pdf", body, content_type="application/pdf")
    response = _post(client, school, big)
    assert response.status_code == 200 and "the limit is 10 MB" in response.content.decode()
    assert not TrainingRecord.objects.filter(user=staff).exists()


def test_a_future_date_is_refused(client, signed_in, school, staff):
    signed_in(staff)
    response = _post(client, school, None, completed_on="2030-01-01")
    assert response.status_code == 200 and "in the future" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_someone_else_cannot_download_my_certificate_but_the_dsl_can(client, signed_in, school, staff, dsl, technician):
    record = f.record(school, staff, with_certificate=True)
    url = reverse("curriculum:certificate", args=[record.pk])
    signed_in(technician)
    assert client.get(url).status_code == 404
    signed_in(staff)
    own = client.get(url)
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    signed_in(dsl)
    assert client.get(url).status_code == 200


def test_the_dsl_records_training_for_a_colleague_on_their_page(client, signed_in, school, dsl, technician):
    signed_in(dsl)
    url = reverse("curriculum:person", args=[technician.pk])
    assert "Filtering and monitoring" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "requirement": f.requirement(school, "filtering_monitoring").pk,
            "course": "Smoothwall admin",
            "provider": "Vendor",
            "completed_on": "2026-10-01",
            "hours": "3",
        },
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=technician)
    assert record.recorded_by == dsl and record.expires_on == datetime.date(2027, 10, 1)

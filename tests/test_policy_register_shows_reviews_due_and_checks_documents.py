"""The policy register: approval, cycle or date, next review due, responsible officer, current document."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from curriculum.models import Policy
from curriculum.register import review_state

from . import factories_curriculum as f

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {
        "title": "Online safety policy",
        "kind": "online_safety",
        "approved_by": "Full governing board",
        "approved_on": "2025-10-14",
        "review_months": "12",
        "review_by": "",
        "notes": "",
    } | extra


def test_next_review_comes_from_the_cycle_or_the_set_date(school):
    cycle = f.policy(school, title="A", approved_on=datetime.date(2025, 10, 14), review_months=24)
    dated = f.policy(
        school,
        title="B",
        approved_on=datetime.date(2025, 10, 14),
        review_months=None,
        review_by=datetime.date(2026, 3, 1),
    )
    assert cycle.next_review_due == datetime.date(2027, 10, 14)
    assert dated.next_review_due == datetime.date(2026, 3, 1)
    today = datetime.date(2026, 11, 22)
    assert review_state(dated, today=today) == "overdue"
    assert review_state(cycle, today=today) == "current"
    assert review_state(cycle, today=datetime.date(2027, 9, 1)) == "due"


def test_the_osl_adds_a_policy_with_its_document(client, signed_in, school, osl):
    signed_in(osl)
    upload = SimpleUploadedFile("Online safety 2025.pdf", f.PDF, content_type="application/pdf")
    response = client.post(reverse("curriculum:policy_add"), _data(responsible=osl.pk, document_upload=upload))
    assert response.status_code == 302
    policy = Policy.objects.get()
    assert policy.responsible == osl and policy.document_type == "application/pdf"
    assert policy.next_review_due == datetime.date(2026, 10, 14)
    register = client.get(reverse("curriculum:policies")).content.decode()
    assert "Online safety policy" in register and "Overdue" in register
    download = client.get(reverse("curriculum:policy_document", args=[policy.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_a_document_of_the_wrong_type_is_refused_and_nothing_is_saved(client, signed_in, school, osl):
    signed_in(osl)
    upload = SimpleUploadedFile("policy.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(reverse("curriculum:policy_add"), _data(document_upload=upload))
    assert response.status_code == 200 and "is not a file we accept" in response.content.decode()
    assert not Policy.objects.exists()


def test_a_policy_needs_a_cycle_or_a_date(client, signed_in, school, osl):
    signed_in(osl)
    response = client.post(reverse("curriculum:policy_add"), _data(review_months=""))
    assert response.status_code == 200 and "Choose a review cycle or a review date" in response.content.decode()
    assert not Policy.objects.exists()


def test_staff_and_governors_read_the_register_but_cannot_edit_it(client, signed_in, school, staff, governor):
    policy = f.policy(school)
    for person in (staff, governor):
        signed_in(person)
        assert "Online safety policy" in client.get(reverse("curriculum:policies")).content.decode()
        assert client.get(reverse("curriculum:policy_edit", args=[policy.pk])).status_code == 403

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.categories import Category
from incidents.models import Attachment, Incident

from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    "category", [Category.YOUTH_PRODUCED_IMAGERY, Category.INDECENT_IMAGES, Category.SEXUAL_ABUSE_EXPLOITATION]
)
def test_no_file_can_be_attached_to_suspected_indecent_image_concerns(client, signed_in, school, staff, category):
    signed_in(staff)
    upload = SimpleUploadedFile("screenshot.png", PNG, content_type="image/png")
    response = client.post(reverse("incidents:report"), report_payload(category=category, attachments=upload))
    assert response.status_code == 200
    assert b"Files cannot be attached to this kind of concern" in response.content
    assert b"Secure the device" in response.content or b"secure the device" in response.content
    assert Incident.objects.count() == 0 and Attachment.objects.count() == 0


def test_form_explains_why_for_those_categories_before_anything_is_chosen(client, signed_in, school, staff):
    signed_in(staff)
    response = client.get(reverse("incidents:report"))
    assert b"Do not attach or keep any image" in response.content
    assert b"youth_produced_imagery" in response.content  # the categories the page hides the file field for


def test_a_screenshot_is_stored_with_its_hash_under_an_unguessable_name(client, signed_in, school, staff, dsl):
    signed_in(staff)
    upload = SimpleUploadedFile("Jo Marsh chat.png", PNG, content_type="image/png")
    response = client.post(reverse("incidents:report"), report_payload(attachments=upload))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and len(attachment.sha256) == 64
    assert "Jo" not in attachment.file.name and attachment.original_name == "Jo Marsh chat.png"


def test_a_file_that_is_not_an_image_or_pdf_is_refused_whatever_its_name(client, signed_in, school, staff):
    signed_in(staff)
    upload = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not really a picture", content_type="image/png")
    response = client.post(reverse("incidents:report"), report_payload(attachments=upload))
    assert response.status_code == 200
    assert b"is not a PNG, JPEG, GIF or WebP image or a PDF" in response.content
    assert Incident.objects.count() == 0

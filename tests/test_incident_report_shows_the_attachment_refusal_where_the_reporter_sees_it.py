"""When a file is refused for a suspected indecent image concern, the reporter is told where they can see it:
at the top of the form and in the guidance beside the category, not under the file field the page hides."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.categories import Category
from incidents.models import Attachment, Incident

from .incident_helpers import report_payload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_refusal_is_in_the_summary_and_the_visible_guidance(client, signed_in, school, staff):
    signed_in(staff)
    upload = SimpleUploadedFile("screenshot.png", PNG, content_type="image/png")
    response = client.post(
        reverse("incidents:report"), report_payload(category=Category.INDECENT_IMAGES, attachments=upload)
    )
    html = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger"[^>]*id="form-errors">(.*?)</div>', html, re.S).group(1)
    assert "Files cannot be attached to this kind of concern" in summary and "send it without the file" in summary
    guidance = re.search(r'<div class="alert alert-warning" id="no-attachment-guidance"[^>]*>', html).group(0)
    assert "hidden" not in guidance  # shown by the server, before any script runs
    assert 'data-testid="attachment-refused"' in html and "the portal has not kept it" in html
    assert Incident.objects.count() == 0 and Attachment.objects.count() == 0


def test_the_guidance_stays_hidden_for_other_categories(client, signed_in, school, staff):
    signed_in(staff)
    response = client.post(reverse("incidents:report"), report_payload(description=""))
    guidance = re.search(
        r'<div class="alert alert-warning" id="no-attachment-guidance"[^>]*>', response.content.decode()
    ).group(0)
    assert "hidden" in guidance

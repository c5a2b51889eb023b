"""The pupils' form takes no pictures or files (a nude image of a child must never be stored): it has no file
field, and a send with a file is refused with a kind explanation, recording nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Attachment, Incident

from .pupil_report_helpers import pupil_payload, tell_url

pytestmark = pytest.mark.django_db


def test_a_file_is_refused_and_nothing_is_recorded(client, school):
    form = client.get(tell_url(school))
    assert b'type="file"' not in form.content and b"multipart" not in form.content

    upload = SimpleUploadedFile("screenshot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    refused = client.post(tell_url(school), {**pupil_payload(), "picture": upload})

    assert refused.status_code == 400
    assert b"can't take pictures, screenshots or files" in refused.content
    assert b"mean comments" not in refused.content  # a fresh, empty form
    assert not Incident.objects.exists() and not Attachment.objects.exists()

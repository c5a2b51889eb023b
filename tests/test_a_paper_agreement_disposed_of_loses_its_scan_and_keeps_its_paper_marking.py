"""A parents' agreement signed on paper and disposed of under the retention schedule: its scan is deleted from
storage (after commit) with its original name, the scan's link then finds nothing, the recorder's address and
browser and the signer's name are blanked; the field that says it was on paper (the scan's hash, in the chained
hash) stays, so the database's rule that a paper record names its scan still holds and the chain verifies."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aup import services
from aup.models import PAPER_SIGNATURE_PREFIX, PaperScan, Signature
from safeguarding_portal.audit import chain

from . import clock
from . import factories_aup as f
from .disposal_kinds_helpers import dispose

pytestmark = [pytest.mark.django_db, clock.frozen("2026-12-01 09:00")]


def test_the_scan_is_deleted_and_the_paper_marking_kept(
    client, signed_in, school, dsl, head, django_capture_on_commit_callbacks
):
    camp = f.campaign(school, notify=False)
    fam = f.family(school, children=1)
    child = fam.children[0]
    signature = services.record_paper_agreement(
        school=school,
        pupil=child,
        guardian=fam.guardian,
        by=dsl,
        signed_on=timezone.localdate(),
        answers={i["key"]: True for i in camp.version.consent_items},
        scan=SimpleUploadedFile("hannah-morgan-signed.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
        ip_address="198.51.100.7",
        user_agent="Office PC",
        submission_token=uuid.uuid4(),
        issue_certificate=False,
    )
    child.left_on = datetime.date(2019, 7, 19)
    child.save()
    scan = signature.paper_scan
    stored = scan.file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        dispose(school, dsl, head)

    after = Signature.objects.get(pk=signature.pk)
    assert (after.signer_name, after.ip_address, after.user_agent) == ("", None, "")
    assert after.on_paper and after.drawn_signature.startswith(PAPER_SIGNATURE_PREFIX)
    gone = PaperScan.objects.get(pk=scan.pk)
    assert (gone.file.name, gone.original_name, gone.sha256) == ("", "", scan.sha256)
    assert not default_storage.exists(stored)
    assert not chain.verify(Signature)
    signed_in(dsl)
    assert client.get(reverse("aup:paper_scan", args=[scan.pk])).status_code == 404

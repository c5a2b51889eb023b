"""The trust report and agreement certificates are tagged PDFs (PDF/UA-1): a screen reader can read them."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aup import services
from aup.certificate import render_certificate

from . import factories_aup as f


def _tagged(data: bytes) -> bool:
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    return bool(root.get("/MarkInfo", {}).get("/Marked")) and "/StructTreeRoot" in root and "/Lang" in root


@pytest.mark.django_db
def test_the_trust_report_pdf_is_tagged(trust, school, trust_lead, signed_in):
    today = timezone.localdate()
    pdf = signed_in(trust_lead).get(
        reverse("reports:trust_pdf"),
        {"starts_on": (today - datetime.timedelta(days=30)).isoformat(), "ends_on": today.isoformat()},
    )
    assert pdf.status_code == 200 and _tagged(pdf.content)


@pytest.mark.django_db
def test_a_paper_agreements_certificate_is_tagged(school, dsl):
    fam = f.family(school)
    camp = f.campaign(school, notify=False)
    signature = services.record_paper_agreement(
        school=school,
        pupil=fam.children[0],
        guardian=fam.guardian,
        by=dsl,
        signed_on=timezone.localdate(),
        answers={i["key"]: True for i in camp.version.consent_items},
        scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
        ip_address=None,
        user_agent="",
        submission_token=uuid.uuid4(),
        issue_certificate=False,
    )
    assert _tagged(render_certificate(signature))

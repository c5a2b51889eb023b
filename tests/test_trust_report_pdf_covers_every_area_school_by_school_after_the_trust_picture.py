"""The trust report PDF covers every area (the dashboard's figures), the trust-wide picture first and then each
school, figures only; it is a tagged PDF whose tables fit the landscape page."""

from __future__ import annotations

import io
import os
import pathlib
import re
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from . import clock
from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_the_pdf_has_the_picture_then_each_school_with_every_area(
    client, signed_in, trust_lead, school, other_school, staff, tmp_path
):
    pupil = PupilFactory(school=school, legal_forename="Zebedee", surname="Quillfeather")
    case = make_case(school=school, reporter=staff, pupils=[pupil], immediate_risk=True)
    signed_in(trust_lead)

    response = client.get(reverse("reports:trust_pdf"), {"starts_on": "2026-09-01", "ends_on": "2026-11-23"})

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert text.index("The trust at a glance") < text.index("School by school")
    after = text[text.index("School by school") :]
    for name in (school.name, other_school.name):
        assert name in after
    for area in ("Concerns", "Cases", "Agreements", "Training", "Filtering", "Policies and curriculum", "Monitoring"):
        assert area in after, area
    assert "Monitoring alerts" in after and "Critical alerts not picked up in time" in after
    for hidden in ("Zebedee", "Quillfeather", case.reference):
        assert hidden not in text
    path = tmp_path / "trust.pdf"
    if art := os.environ.get("PORTAL_ARTIFACTS"):  # kept to look at its pages (pdftoppm)
        pathlib.Path(art).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(art) / "trust-report.pdf").write_bytes(response.content)
    path.write_bytes(response.content)
    # poppler's tools, as a reader would check the file (fixed arguments, our own file).
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    assert "Tagged:          yes" in info
    assert "841.89 x 595.276" in info  # A4 landscape
    # Nothing is cut off at the right edge: every line of text ends inside the page.
    boxes = subprocess.run(  # noqa: S603
        ["pdftotext", "-bbox", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    right_edges = [float(m) for m in re.findall(r'xMax="([\d.]+)"', boxes)]
    assert right_edges and max(right_edges) <= 841.89 - 20  # inside the right margin

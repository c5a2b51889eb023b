"""The one way the portal makes a PDF: a template (or ready HTML) through WeasyPrint, tagged PDF/UA-1.

Every PDF is tagged (structure, reading order, alt text), so a screen reader can read a governor report, a
certificate, a chronology or a filtering log alike. WeasyPrint is imported here only, and only when a PDF is
made: it loads Pango and Cairo, which pages that never print need not pay for.
(tests/test_pdfs_are_made_by_one_helper_only.py keeps it the only importer.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


def render_pdf(*, template: str | None = None, context: dict[str, Any] | None = None, html: str | None = None) -> Pdf:
    """The PDF of ``template`` rendered with ``context``, or of ``html`` (one or the other)."""
    if (template is None) == (html is None):
        raise ValueError("Give a template or HTML, not both.")
    from weasyprint import HTML

    if template is not None:
        html = render_to_string(template, context or {})
    document = HTML(string=html).render()
    return Pdf(content=document.write_pdf(pdf_variant=PDF_VARIANT), pages=len(document.pages))

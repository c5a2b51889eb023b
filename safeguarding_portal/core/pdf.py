"""The one way the portal makes a PDF (a template, or ready HTML, through WeasyPrint, tagged PDF/UA-1) and the
one way it hands one out (``pdf_response``: an attachment that no browser or proxy keeps).

Every PDF is tagged (structure, reading order, alt text), so a screen reader can read a governor report, a
certificate, a chronology or a filtering log alike. WeasyPrint is imported here only, and only when a PDF is
made: it loads Pango and Cairo, which pages that never print need not pay for.
(tests/test_pdfs_are_made_by_one_helper_only.py keeps it the only importer.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import IO, Any, cast

from django.http import FileResponse, HttpResponse
from django.template.loader import get_template, render_to_string
from django.utils.http import content_disposition_header

PDF_VARIANT = "pdf/ua-1"
_fonts = threading.local()


def _font_config() -> Any:
    """One WeasyPrint font configuration per thread, kept between PDFs: a new one per document set up
    fontconfig again and loaded the same faces (about 30 ms of CPU a PDF, measured on a short one). Per thread,
    as gunicorn's threads may render at once and the configuration is not made to be shared between them."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def _stylesheet(template: str) -> Any:
    """A stylesheet (a template file of CSS, such as the reports' reports/pdf/report.css) parsed once per thread
    and kept between PDFs with the thread's font configuration: a governor report's build parsed its seven
    kilobytes of CSS again every time (about 18 ms of CPU on the bench machine)."""
    sheets = getattr(_fonts, "sheets", None)
    if sheets is None:
        sheets = _fonts.sheets = {}
    sheet = sheets.get(template)
    if sheet is None:
        from weasyprint import CSS

        source = cast(Any, get_template(template)).template.source  # the file as written: CSS, no template tags
        sheet = sheets[template] = CSS(string=source, font_config=_font_config())
    return sheet


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


def render_pdf(
    *,
    template: str | None = None,
    context: dict[str, Any] | None = None,
    html: str | None = None,
    stylesheet: str | None = None,
) -> Pdf:
    """The PDF of ``template`` rendered with ``context``, or of ``html`` (one or the other), styled by its own
    styles and, if given, by ``stylesheet`` (a CSS template file, parsed once per thread)."""
    if (template is None) == (html is None):
        raise ValueError("Give a template or HTML, not both.")
    from weasyprint import HTML  # why: heavy (Pango, fonts), loaded only when a PDF is made

    if template is not None:
        html = render_to_string(template, context or {})
    sheets = [_stylesheet(stylesheet)] if stylesheet else None
    document = HTML(string=html).render(font_config=_font_config(), stylesheets=sheets)
    return Pdf(content=document.write_pdf(pdf_variant=PDF_VARIANT), pages=len(document.pages))


def pdf_response(*, content: bytes | IO[bytes], filename: str) -> HttpResponse | FileResponse:
    """A PDF as a download: bytes made now, or an open stored file (streamed). Never cached: these are
    safeguarding records, and a shared computer's cache is not the place for them."""
    response: HttpResponse | FileResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type="application/pdf")
        # As an attachment the header always has a value (None is only for an inline file without a name).
        response["Content-Disposition"] = cast(str, content_disposition_header(True, filename))
    else:
        response = FileResponse(content, as_attachment=True, filename=filename, content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response

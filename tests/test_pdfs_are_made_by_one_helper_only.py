"""Every PDF goes through ``safeguarding_portal.core.pdf``: ``render_pdf`` is the only code that imports WeasyPrint
and every PDF it makes is tagged (PDF/UA-1) for screen readers; ``pdf_response`` hands each one out as a download
nobody caches."""

import ast
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from safeguarding_portal.core.pdf import pdf_response, render_pdf

from .project_files import NOT_THE_PROJECT

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "safeguarding_portal" / "core" / "pdf.py"


def _project_modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_THE_PROJECT or "migrations" in parts or parts[0].startswith("."):
            continue
        yield path


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_pdf_helper_imports_weasyprint():
    importers = {str(p.relative_to(ROOT)) for p in _project_modules() if "weasyprint" in _imports(p)}
    assert importers == {str(HELPER.relative_to(ROOT))}


def test_the_scan_sees_a_weasyprint_import_wherever_it_is(tmp_path):
    # The test above must be able to fail: an import inside a function counts as much as one at the top.
    module = tmp_path / "view.py"
    module.write_text("def log_pdf(request):\n    from weasyprint import HTML\n    return HTML\n")
    assert "weasyprint" in _imports(module)


def test_a_pdf_from_the_helper_is_tagged_and_counts_its_pages():
    pdf = render_pdf(
        html='<html lang="en-GB"><body><h1>Chronology</h1><p style="page-break-after: always">One'
        "</p><p>Two</p></body></html>"
    )
    root = PdfReader(io.BytesIO(pdf.content)).trailer["/Root"]
    assert pdf.content.startswith(b"%PDF") and pdf.pages == 2
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and "/Lang" in root


@pytest.mark.parametrize("kwargs", [{}, {"template": "x.html", "html": "<p>x</p>"}])
def test_the_helper_takes_a_template_or_html_not_both_or_neither(kwargs):
    with pytest.raises(ValueError):
        render_pdf(**kwargs)


def test_only_the_helper_answers_with_a_pdf():
    labelled = re.compile(r"""content_type=["']application/pdf["']""")
    answering = {str(p.relative_to(ROOT)) for p in _project_modules() if labelled.search(p.read_text(encoding="utf-8"))}
    assert answering == {str(HELPER.relative_to(ROOT))}


@pytest.mark.parametrize("content", [b"%PDF-1.7 made now", io.BytesIO(b"%PDF-1.7 stored")], ids=["bytes", "file"])
def test_a_pdf_is_a_download_that_is_never_cached(content):
    response = pdf_response(content=content, filename="chronology-A123456789012.pdf")

    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF-1.7") and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="chronology-A123456789012.pdf"'
    assert response["Cache-Control"] == "no-store"

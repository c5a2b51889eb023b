"""Django's ``{# … #}`` comment ends at the line's end: one spread over several lines is printed on the page as
text (a note for developers shown to the DSL). Longer comments use ``{% comment %}``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt", ".xml", ".svg"})
OPENED_NOT_CLOSED = re.compile(r"\{#(?![^\n]*#\})")


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_short_comment_closes_on_its_own_line(path):
    text = path.read_text(encoding="utf-8")
    lines = [text.count("\n", 0, m.start()) + 1 for m in OPENED_NOT_CLOSED.finditer(text)]
    assert not lines, f"{path.name}: a {{# comment runs past the end of line {lines}; use {{% comment %}}"


def test_the_check_catches_a_comment_spread_over_two_lines():
    assert OPENED_NOT_CLOSED.search("{# one\n two #}")
    assert not OPENED_NOT_CLOSED.search("{# one line #}\n")

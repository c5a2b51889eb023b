"""The compiled catalogues (.mo, committed so that no build needs gettext installed) say exactly what their
sources (.po) say, every message is translated, and each translation keeps its placeholders."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|<strong>999</strong>")


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (no contexts or plurals: the parents' pages use neither)."""
    entries: dict[str, str] = {}
    current: dict[str, list[str]] = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#") or not line.strip():
            if "msgid" in current:
                entries["".join(current["msgid"])] = "".join(current.get("msgstr", []))
            current, key = {}, None
            continue
        if line.startswith(("msgctxt", "msgid_plural", "msgstr[")):
            raise AssertionError(f"{path}: contexts and plurals are not expected here: {line}")
        for keyword in ("msgid", "msgstr"):
            if line.startswith(keyword + " "):
                key = keyword
                line = line[len(keyword) + 1 :]
        current.setdefault(key, []).append(ast.literal_eval(line))
    return entries


CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_every_parents_language_has_a_catalogue():
    assert {p.parts[-3] for p in CATALOGUES} == {code for code, _name in settings.LANGUAGES} - {"en-gb"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_compiled_catalogue_matches_its_source(po):
    entries = _po_entries(po)
    with open(po.with_suffix(".mo"), "rb") as fh:
        compiled = dict(gettext.GNUTranslations(fh)._catalog)
    header = entries.pop("")
    assert "native speaker" in header or "native speaker" in po.read_text(encoding="utf-8")[:600]
    compiled.pop("", None)
    assert compiled == entries, f"{po.with_suffix('.mo')} is stale: run `manage.py compilemessages` and commit it"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_message_is_translated_with_its_placeholders(po):
    entries = _po_entries(po)
    entries.pop("")
    assert entries
    for english, translated in entries.items():
        assert translated.strip(), f"{po}: not translated: {english!r}"
        assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(translated)), (po, english)

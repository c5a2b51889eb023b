"""Finding a pupil by name as people type names: either order, part of a name, with or without accents,
apostrophes and hyphens, by a former or preferred name, or by UPN.

Each pupil keeps ``search_text``: every name it may be called by, folded (lower case, accents and
apostrophes removed, hyphens as spaces and as nothing), each word after a space. A typed word matches a
pupil when some name word starts with it, so "ivy tay", "Taylor Ivy" and "zoe obrien" all match, on
PostgreSQL and SQLite alike, with one indexed school filter and a LIKE per typed word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q

_APOSTROPHES = "'\u2019\u2018`\u00b4"  # straight, curly and backtick apostrophes, and the acute accent typed as one
_WORD = re.compile(r"[a-z0-9]+")
UPN_PATTERN = re.compile(r"^[A-Za-z][0-9]{11}[0-9A-Za-z]$")


def fold(text: str) -> str:
    """Lower case, accents off (Zoë -> zoe), apostrophes dropped (O'Brien -> obrien)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for mark in _APOSTROPHES:
        plain = plain.replace(mark, "")
    return plain.casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def search_text_for(*names: str) -> str:
    """The folded words of every name, each after a space (" ivy taylor ..."), hyphenated names also joined
    ("pemberton-fitch" is found by "pemberton", "fitch" and "pembertonfitch")."""
    found: list[str] = []
    for name in names:
        found += words(name)
        for part in fold(name).split():
            if "-" in part:
                found.append("".join(_WORD.findall(part)))
    unique = list(dict.fromkeys(w for w in found if w))
    return "".join(f" {w}" for w in unique)


def query_words(query: str) -> list[str]:
    return words(query)[:6]  # a name, not an essay


def name_filter(query: str, *, prefix: str = "") -> Q | None:
    """Every typed word starts a name word of the pupil; ``prefix`` reaches the pupil through a relation
    ("pupil__"). None when nothing searchable was typed."""
    typed = query_words(query)
    if not typed:
        return None
    q = Q()
    for word in typed:
        q &= Q(**{f"{prefix}search_text__contains": f" {word}"})
    return q


@dataclass(frozen=True)
class Match:
    """How well a pupil matches: whole words beat starts of words; all names typed beats some."""

    exact_words: int
    typed: int

    @property
    def rank(self) -> int:
        """0 when every typed word is a whole name word; one more for each that only starts one."""
        return self.typed - self.exact_words


def match(search_text: str, query: str) -> Match:
    name_words = set(search_text.split())
    typed = query_words(query)
    return Match(sum(1 for w in typed if w in name_words), len(typed))


def is_upn(query: str) -> bool:
    return bool(UPN_PATTERN.match(query.strip()))


def highlight_spans(name: str, query: str) -> list[tuple[str, bool]]:
    """``name`` cut into (text, matched) pieces: the start of each word a typed word matches is marked, in
    the name as written (accents and all)."""
    typed = query_words(query)
    if not typed or not name:
        return [(name, False)]
    pieces: list[tuple[str, bool]] = []
    for token in re.split(r"(\s+|-)", name):
        folded = fold(token)
        best = max((len(w) for w in typed if folded.startswith(w)), default=0)
        if not best or not token.strip():
            pieces.append((token, False))
            continue
        # Walk the original characters until their folded form covers the matched length.
        cut, covered = 0, 0
        while cut < len(token) and covered < best:
            covered += len(fold(token[cut]))
            cut += 1
        pieces += [(token[:cut], True), (token[cut:], False)]
    return [(text, hit) for text, hit in pieces if text]

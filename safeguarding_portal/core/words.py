"""Counts in words that agree with their number: "1 change", "2 changes", "1 person", "3 people".

Templates use Django's ``pluralize``; text built in Python (messages, log summaries, report lines) uses
``counted`` rather than "change(s)".
"""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun that agrees with it; ``plural`` defaults to ``singular`` + "s"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"

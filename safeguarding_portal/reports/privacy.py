"""Figures shown to governors and the trust: small counts could identify a child."""

from __future__ import annotations

SMALL_COUNT_LIMIT = 3
SMALL_COUNT_TEXT = "fewer than 3"


def small_count(n: int) -> int | str:
    """A count as governors may see it: 0 and 3 or more as they are, 1 and 2 as "fewer than 3"."""
    return SMALL_COUNT_TEXT if 0 < n < SMALL_COUNT_LIMIT else n

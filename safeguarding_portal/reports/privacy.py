"""Figures shown to governors and the trust: small counts could identify a child."""

from __future__ import annotations

SMALL_COUNT_LIMIT = 3
SMALL_COUNT_TEXT = "fewer than 3"


def small_count(n: int) -> int | str:
    """A count as governors may see it: 0 and 3 or more as they are, 1 and 2 as "fewer than 3"."""
    return SMALL_COUNT_TEXT if 0 < n < SMALL_COUNT_LIMIT else n


def small_share(part: int, total: int) -> str:
    """ "part of total" as governors may see it, where ``total`` counts children.

    With 3 or more in total only a part of 1 or 2 is hidden. With 1 or 2 in total, the part would give the
    total away ("1 of fewer than 3" can only mean 1 of 2), so it is said in words instead: all, none or some.
    """
    if 0 < total < SMALL_COUNT_LIMIT:
        share = "all" if part == total else "none" if part == 0 else "some"
        return f"{share} of {SMALL_COUNT_TEXT}"
    return f"{small_count(part)} of {total}"

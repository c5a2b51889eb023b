"""Record ids read from a query string or a posted form, where anyone can type anything."""

from __future__ import annotations

# The largest id a bigint primary key holds: a longer string of digits is no record's id.
_MAX_ID = 2**63 - 1


def as_id(value: str | None) -> int | None:
    """The id ``value`` spells, or None when it is not one.

    str.isdigit() alone is not enough: it accepts "²" and other digit characters that int() refuses, so a
    check with it still lets a typed or pasted query string reach int() or a pk lookup and give a server
    error. Only plain ASCII digits make an id here.
    """
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= _MAX_ID else None


def as_ids(values: list[str]) -> set[int]:
    """The ids among ``values`` (a getlist()), leaving out any that is not one."""
    return {n for n in (as_id(v) for v in values) if n is not None}

"""Cell values: UK dates, year groups, email addresses, yes/no; and the shapes every validator shares."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..models import YearGroup
from .headers import _norm
from .reading import RowError


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- Values ---------------------------------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]{3,9})\.?[\s\-,]+(\d{2,4})$", re.IGNORECASE)
_MONTHS = {
    name: n
    for n, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_MIDNIGHT = re.compile(r"[T ]0?0:00(:00(\.0+)?)?$")
_EXAMPLE_DATE = "such as 17/05/2016"
_NOT_A_DATE = f"This is not a date the portal recognises. Write dates as day/month/year, {_EXAMPLE_DATE}."


def parse_uk_date(value: str) -> datetime.date:
    """A date as UK MIS exports write it: day/month/year (DD/MM/YYYY or D/M/YYYY), or ISO YYYY-MM-DD.

    Raises ValueError with a message for the user. Two-digit years and month/day order are refused rather
    than guessed: a wrong date of birth is worse than a rejected file.
    """
    text = _MIDNIGHT.sub("", value.strip())
    if match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(text):
        day, month, year_text = int(match[1]), int(match[2]), match[3]
        if len(year_text) != 4:
            raise ValueError(f"Use a four-digit year, {_EXAMPLE_DATE}: a two-digit year could be in either century.")
        year = int(year_text)
    elif match := _NAMED.match(text):
        month_number = _MONTHS.get(match[2][:3].lower())
        if month_number is None:
            raise ValueError(_NOT_A_DATE)
        if len(match[3]) != 4:
            raise ValueError(f"Use a four-digit year, {_EXAMPLE_DATE}: a two-digit year could be in either century.")
        day, month, year = int(match[1]), month_number, int(match[3])
    else:
        raise ValueError(_NOT_A_DATE)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        if _DMY.match(text) and 1 <= day <= 12 and 12 < month <= 31:
            raise ValueError(
                f"There is no month {month}: this looks like a US month/day/year date. "
                f"Dates must be day/month/year, {_EXAMPLE_DATE}."
            ) from None
        raise ValueError(
            f"This date does not exist (check the day and the month). Dates must be day/month/year, {_EXAMPLE_DATE}."
        ) from None


def check_date_of_birth(dob: datetime.date, *, today: datetime.date) -> None:
    if dob > today:
        raise ValueError("This date of birth is in the future.")
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    if age < 2:
        raise ValueError("This date of birth makes the pupil younger than two. Check the date (day/month/year).")
    if age > 25:
        raise ValueError(f"This date of birth makes the pupil {age}. Check the date (day/month/year).")


_YEAR = re.compile(r"^(?:nationalcurriculumyear|ncyear|yeargroup|year|yr|y)?(r|rec|reception|fs2|f2|\d{1,2})$")
_YEAR_GROUPS = frozenset(YearGroup.values)
_NURSERY = re.compile(r"^(?:year|yr|y)?(n|n1|n2|nur|nursery|fs1|f1|pn|preschool)$")


def parse_year_group(value: str) -> str:
    """ "R", "Reception", "Year 5", "Y5", "5" and the like, as a YearGroup value. Raises ValueError."""
    text = _norm(value)
    if _NURSERY.match(text):
        raise ValueError("Nursery is not a year group the portal holds. Leave nursery pupils out of the file.")
    match = _YEAR.match(text)
    if match:
        token = match[1]
        if token in ("r", "rec", "reception", "fs2", "f2"):
            return YearGroup.RECEPTION
        number = str(int(token))
        if number in _YEAR_GROUPS:
            return number
    raise ValueError("This is not a year group. Use R (Reception) or 1 to 13, for example “Year 5”, “Y5” or “5”.")


@functools.lru_cache(maxsize=16384)
def _clean_email(value: str) -> str:
    """The lower-cased address, or ValueError. One address a cell: a list is a mistake, not two parents."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if len([piece for piece in re.split(r"[;,\s]+", text) if "@" in piece]) > 1:
        raise ValueError("Put one email address in each cell: a parent or carer each needs their own.")
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError("This is not a valid email address.") from None
    return text.lower()


def _parse_flag(value: str) -> bool:
    text = _norm(value)
    if text in ("y", "yes", "true", "1", "x"):
        return True
    if text in ("n", "no", "false", "0"):
        return False
    raise ValueError("Write Yes or No.")


def _too_long(value: str, limit: int) -> str | None:
    return f"This is {len(value)} characters long; the limit is {limit}." if len(value) > limit else None


@dataclass
class Validation:
    """What a validator returns: a plan when every row is good, else the errors (and no plan)."""

    plan: Any = None
    errors: list[RowError] = field(default_factory=list)
    data_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def _data_rows(rows: list[list[str]], header_index: int) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of each non-blank data row."""
    for offset, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if any(cells):
            yield offset, cells


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _row_list(rows: list[int]) -> str:
    rows = sorted(rows)
    return ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}" if len(rows) > 1 else str(rows[0])

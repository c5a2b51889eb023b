"""Reading the upload: bytes to rows of text, and the two kinds of problem an import reports.

A CSV is decoded by ``decode_upload`` (UTF-8, UTF-16 from Excel, else Windows-1252, never a mix) and split on
the separator its first line uses; an Excel workbook is read into the same rows by schools/tables.py. The
vendor filtering-log import (filtering/vendor.py) reads its files through ``read_table`` too, with its own
size limit.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from .. import tables

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    """One problem, placed where the user will find it in a spreadsheet (the header is row 1)."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value[:200], "message": self.message}


class FileRejected(Exception):
    """A problem with the whole file (unreadable, empty, missing columns) rather than with a row."""

    def __init__(self, *messages: str):
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)

    def as_errors(self) -> list[RowError]:
        return [RowError(None, "", "", m) for m in self.messages]


# --- Reading the file -----------------------------------------------------------------------------------

_EXPORT_FEWER_COLUMNS = "Export only the columns the portal needs."
_SAVE_AS_CSV = "In Excel, choose File, then Save As, then “CSV UTF-8 (Comma delimited)” and upload that file."


def decode_upload(*, data: bytes, max_bytes: int | None = None) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 from Excel, else Windows-1252 (but a
    UTF-8 file with a byte that is not UTF-8 is refused, never re-read as Windows-1252). ``max_bytes`` is the
    caller's size limit (the MIS one, 5 MB, by default; longer vendor logs are decoded by the same rules)."""
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    _check_size(data, limit=limit, advice=_EXPORT_FEWER_COLUMNS)
    if not data.strip():
        raise FileRejected("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected(f"This is an Excel workbook (.xlsx), not a CSV file. {_SAVE_AS_CSV}")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(f"This is an older Excel workbook (.xls), not a CSV file. {_SAVE_AS_CSV}")
    if data.startswith(b"%PDF"):
        raise FileRejected("This is a PDF, not a CSV file. Export the report from your MIS as CSV instead.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRejected(f"The file could not be read as text. {_SAVE_AS_CSV}")
    if b"\x00" in data:
        raise FileRejected(f"This is not a text file, so it cannot be a CSV export. {_SAVE_AS_CSV}")
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data != body or _UTF8_SEQUENCE.search(body):
            # A byte-order mark or UTF-8 characters say the file is UTF-8, yet one byte is not: two encodings in
            # one file. Read either way some names would be garbled ("ZoÃ«"), so it is not read at all.
            raise FileRejected(_mixed_encoding(body, exc.start)) from exc
    try:
        # What Excel on Windows writes for "CSV (Comma delimited)": accents and curly quotes in names survive.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRejected(f"The file is not in a text encoding the portal can read. {_SAVE_AS_CSV}")


# A multi-byte UTF-8 character ("ë" is C3 AB). Windows-1252 text almost never contains one by chance: it
# would take a capital accented letter followed by a symbol such as "©".
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _mixed_encoding(body: bytes, start: int) -> str:
    line = body.count(b"\n", 0, start) + 1
    line_start = body.rfind(b"\n", 0, start) + 1
    column = len(body[line_start:start].decode("utf-8", errors="replace")) + 1
    return (
        f"The file is in UTF-8 except on line {line}, where character {column} is the byte 0x{body[start]:02X}, "
        "which is not UTF-8 (probably pasted from a file in another encoding). Nothing was read, so no name is "
        "garbled: correct that line in your MIS, or in a text editor saving as UTF-8, and upload the file again."
    )


def read_table(
    *,
    data: bytes,
    sheet: str = "",
    max_bytes: int | None = None,
    too_big_advice: str = _EXPORT_FEWER_COLUMNS,
    csv_advice: str = _SAVE_AS_CSV,
) -> list[list[str]]:
    """All rows of the CSV, as lists of cells. Comma, tab or semicolon separated, as the first line shows.

    An Excel workbook (.xlsx) is read into the same rows of text (schools/tables.py); ``sheet`` names the
    worksheet when it has several. ``max_bytes`` is the caller's size limit (the MIS one, 5 MB, by default) and
    the two advices end the messages for a file over it and for a CSV that cannot be split into cells."""
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if tables.is_xlsx(data):
        _check_size(data, limit=limit, advice=too_big_advice)
        try:
            return tables.read_xlsx(data, sheet=sheet)
        except tables.WorkbookProblem as exc:
            raise FileRejected(str(exc)) from exc
    _check_size(data, limit=limit, advice=too_big_advice)
    text = decode_upload(data=data, max_bytes=limit)
    rows = _split_csv(text, advice=csv_advice)
    if not any(any(row) for row in rows):
        raise FileRejected("The file is empty.")
    return rows


def _check_size(data: bytes, *, limit: int, advice: str) -> None:
    if len(data) > limit:
        raise FileRejected(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limit // (1024 * 1024)} MB. {advice}"
        )


def _split_csv(text: str, *, advice: str) -> list[list[str]]:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise FileRejected(
            f"The file could not be read as CSV near line {reader.line_num} ({exc}).{' ' + advice if advice else ''}"
        )

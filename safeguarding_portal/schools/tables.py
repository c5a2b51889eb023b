"""Spreadsheets as the office has them: an Excel workbook (.xlsx) read into the same rows of text as a CSV.

The MIS import and the vendor filtering-log import (filtering/vendor.py) read their files (schools/importer/reading.py)
through ``read_xlsx`` when the upload is a workbook, so every header spelling, check and per-row error works
the same for both. Cells become the text a CSV export of the same sheet would hold: dates as day/month/year
(with the time when there is one), whole numbers without ".0", empty cells as "". Formulas are read as the
values Excel last saved (``data_only``); the workbook is read as a stream (``read_only``), never as a whole.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

from django import forms

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAGIC = b"PK\x03\x04"  # a zip file: .xlsx (and .docx, .ods...; openpyxl tells them apart)
# Beyond this many rows a sheet is not an export of one school's people or one term's log.
MAX_ROWS = 200_000
# An .xlsx is a zip. A real export unpacks to a few times its size (at most some tens); a "zip bomb" of a few
# megabytes unpacks to gigabytes, which openpyxl would hold in memory (the shared strings are read whole).
MAX_UNPACKED_BYTES = 250 * 1024 * 1024
MAX_UNPACK_RATIO = 100


class WorkbookProblem(Exception):
    """A workbook the portal cannot read, with a message for the person who uploaded it."""


class SheetChoiceNeeded(WorkbookProblem):
    def __init__(self, sheets: list[str]):
        self.sheets = sheets
        names = ", ".join(f"“{s}”" for s in sheets)
        super().__init__(
            f"This workbook has {len(sheets)} sheets ({names}). Choose the sheet that holds the list, "
            "and choose the file again."
        )


def is_xlsx(data: bytes) -> bool:
    return data.startswith(XLSX_MAGIC)


def _check_unpacked_size(data: bytes) -> None:
    """From the sizes the zip declares, before anything is unpacked (zipfile stops at a declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl's own error explains a damaged file
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_UNPACK_RATIO * len(data):
        raise WorkbookProblem(
            f"This workbook would unpack to {unpacked / 1024 / 1024:,.0f} MB, far more than a list exported from an "
            "MIS or a filtering product, so it was not read. Open it in Excel, delete any unused sheets, rows and "
            "columns, save it again as “Excel Workbook (.xlsx)” or as “CSV UTF-8 (Comma delimited)”, then upload that."
        )


def _open(data: bytes) -> Any:
    from openpyxl import load_workbook  # why: heavy, only for .xlsx uploads

    _check_unpacked_size(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise WorkbookProblem(
            "This file could not be read as an Excel workbook (.xlsx): it may be damaged, password-protected, or "
            "another kind of file. Open it in Excel and save it again as “Excel Workbook (.xlsx)” or as "
            "“CSV UTF-8 (Comma delimited)”, then upload that."
        ) from exc


def sheet_names(data: bytes) -> list[str]:
    """The names of a workbook's worksheets, in order ([] for a file that is not a workbook)."""
    if not is_xlsx(data):
        return []
    workbook = _open(data)
    try:
        return [ws.title for ws in workbook.worksheets]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))  # 5.0 is year 5; 1234567.0 a phone number typed without its 0
        return repr(value)
    return str(value).strip()


def read_xlsx(data: bytes, *, sheet: str = "") -> list[list[str]]:
    """Every row of one worksheet as lists of text. ``sheet`` names it; a workbook with several needs one."""
    workbook = _open(data)
    try:
        names = [ws.title for ws in workbook.worksheets]
        if not names:
            raise WorkbookProblem("This workbook has no worksheets.")
        if sheet:
            if sheet not in names:
                shown = ", ".join(f"“{n}”" for n in names)
                raise WorkbookProblem(f"This workbook has no sheet called “{sheet}”; its sheets are {shown}.")
            worksheet = workbook[sheet]
        elif len(names) == 1:
            worksheet = workbook.worksheets[0]
        else:
            raise SheetChoiceNeeded(names)
        rows: list[list[str]] = []
        for values in worksheet.iter_rows(values_only=True):
            rows.append([cell_text(v) for v in values])
            if len(rows) > MAX_ROWS:
                raise WorkbookProblem(f"The sheet has more than {MAX_ROWS:,} rows; export a shorter list.")
    finally:
        workbook.close()
    # Trailing empty cells (a sheet's used range is often wider than its table) are dropped, as CSV has none.
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    if not any(any(row) for row in rows):
        raise WorkbookProblem("The sheet is empty." if len(names) == 1 else f"The sheet “{worksheet.title}” is empty.")
    return rows


def ask_for_sheet(form: Any, data: bytes) -> bool:  # form: a bound, valid Django form with a "sheet" field
    """For a workbook with several sheets and none chosen (or one it lacks): offer its sheets and say so."""
    chosen = form.cleaned_data.get("sheet", "")
    try:
        names = sheet_names(data)
    except WorkbookProblem:
        return False  # the importer explains a damaged workbook in its report
    if len(names) < 2 or chosen in names:
        return False
    form.fields["sheet"] = forms.ChoiceField(
        label="Which sheet of the workbook",
        choices=[(n, n) for n in names],
        initial=names[0],
        help_text="Choose the sheet that holds the list, then choose the file again and send it.",
    )
    form._bound_fields_cache.pop("sheet", None)  # cleaning bound the text field; show the list instead
    form.add_error("sheet", str(SheetChoiceNeeded(names)))
    return True


def as_records(rows: list[list[str]]) -> list[dict[str, str]]:
    """Rows under the first row as header -> text (for callers that want dicts; the importers keep rows)."""
    if not rows:
        return []
    headers = rows[0]
    return [{h: (row[i] if i < len(row) else "") for i, h in enumerate(headers) if h} for row in rows[1:] if any(row)]

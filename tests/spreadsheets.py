"""Excel workbooks made in the test, as the office's spreadsheet program would save them (openpyxl)."""

from __future__ import annotations

import io

from openpyxl import Workbook


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx with one worksheet per entry, in order; cells keep their Python types (dates stay dates)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

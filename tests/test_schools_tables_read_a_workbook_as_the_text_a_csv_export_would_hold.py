"""schools/tables.py reads an .xlsx into the rows of text the CSV importers already check."""

from __future__ import annotations

import datetime

import pytest

from safeguarding_portal.schools import tables

from .spreadsheets import workbook_bytes


def test_dates_numbers_and_empty_cells_become_the_text_a_csv_would_hold():
    data = workbook_bytes(
        {
            "Pupils": [
                ["UPN", "DOB", "Year", "Phone", "Logged at", "Joined", None, None],
                [
                    "A123456789012",
                    datetime.datetime(2016, 5, 17),
                    5,
                    7700900123.0,
                    datetime.datetime(2026, 9, 3, 14, 5, 9),
                    datetime.date(2021, 9, 1),
                    None,
                    None,
                ],
                [None, None, None, None, None, None, None, None],
                ["  padded  ", True, 2.5, None, datetime.time(8, 30), None],
            ]
        }
    )
    rows = tables.read_xlsx(data)
    assert rows == [
        ["UPN", "DOB", "Year", "Phone", "Logged at", "Joined"],
        ["A123456789012", "17/05/2016", "5", "7700900123", "03/09/2026 14:05:09", "01/09/2021"],
        [],
        ["padded", "TRUE", "2.5", "", "08:30:00"],
    ]
    assert tables.as_records(rows)[0]["DOB"] == "17/05/2016"


def test_a_workbook_with_several_sheets_needs_one_named_and_a_wrong_name_is_explained():
    data = workbook_bytes({"Cover": [["Exported from the MIS"]], "Pupils": [["UPN"], ["A123456789012"]]})
    assert tables.sheet_names(data) == ["Cover", "Pupils"]
    with pytest.raises(tables.SheetChoiceNeeded) as choice:
        tables.read_xlsx(data)
    assert choice.value.sheets == ["Cover", "Pupils"] and "2 sheets (“Cover”, “Pupils”)" in str(choice.value)
    assert tables.read_xlsx(data, sheet="Pupils") == [["UPN"], ["A123456789012"]]
    with pytest.raises(tables.WorkbookProblem, match="no sheet called “Roll”"):
        tables.read_xlsx(data, sheet="Roll")


def test_a_damaged_workbook_or_an_empty_sheet_is_refused_with_what_to_do():
    with pytest.raises(tables.WorkbookProblem, match="save it again"):
        tables.read_xlsx(b"PK\x03\x04 not really a workbook")
    with pytest.raises(tables.WorkbookProblem, match="empty"):
        tables.read_xlsx(workbook_bytes({"Sheet1": [[None, None]]}))
    assert tables.sheet_names(b"UPN,DOB\n") == []

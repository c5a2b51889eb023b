"""The vendor-log and monitoring CSV imports (filtering.vendor.read_table) decode as the MIS import does, however
long the file: a UTF-8 file with one byte that is not UTF-8 is refused with its line and byte, never re-read as
Windows-1252 with that line's names garbled; a UTF-8 file is read as UTF-8 even when a character falls across the
point where the first few kilobytes end. (Files over the MIS import's 5 MB limit used to have only their first
4 KB checked, and the rest re-decoded as Windows-1252 when a stray byte came later.)"""

from __future__ import annotations

import pytest

from filtering import vendor
from safeguarding_portal.schools import importer

HEADER = "Time,User,Action,Target\n"
ROW = "2026-09-14 10:00,tech,Allow,good.example\n"


@pytest.fixture(autouse=True)
def small_mis_limit(monkeypatch):
    """The MIS limit (5 MB) made small, so a "long" vendor file is a few kilobytes here."""
    monkeypatch.setattr(importer.reading, "MAX_FILE_BYTES", 8 * 1024)


def _long(last_line: bytes, *, rows: int = 300) -> bytes:
    data = (HEADER + ROW * rows).encode("utf-8") + last_line
    assert len(data) > importer.reading.MAX_FILE_BYTES
    return data


def test_a_long_utf8_file_with_a_stray_byte_late_on_is_refused_with_its_line_and_byte():
    names = "2026-09-14 11:00,zo\u00eb.obrien,Allow,caf\u00e9.example\n".encode()
    stray = "2026-09-14 12:00,ren\u00e9e,Allow,ok.example\n".encode("cp1252")  # "é" as the byte 0xE9
    data = _long(names + stray)

    with pytest.raises(importer.FileRejected) as refused:
        vendor.read_table(data=data)

    message = str(refused.value)
    assert "line 303" in message and "0xE9" in message and "UTF-8" in message


def test_a_long_utf8_file_is_read_as_utf8_even_with_a_character_across_the_first_kilobytes():
    head = (HEADER + "2026-09-14 09:00,zo\u00eb,Allow,a.example\n" + ROW * 80).encode("utf-8")
    filler = b"x" * (4095 - len(head) - len("2026-09-14 11:00,"))
    line = b"2026-09-14 11:00," + filler + "\u00eb,Allow,caf\u00e9.example\n".encode()
    data = head + line + (ROW * 300).encode("utf-8")
    assert data[4095:4097] == "\u00eb".encode()  # "ë" starts in the first 4 KB and ends after them

    rows = vendor.read_table(data=data)

    assert rows[82][1].endswith("\u00eb") and rows[82][3] == "caf\u00e9.example"
    assert len(rows) == 383


def test_a_long_file_in_windows_1252_throughout_is_still_read():
    data = (HEADER + ROW * 300 + "2026-09-14 11:00,ren\u00e9e,Allow,caf\u00e9.example\n").encode("cp1252")

    rows = vendor.read_table(data=data)

    assert rows[-1][1] == "ren\u00e9e"

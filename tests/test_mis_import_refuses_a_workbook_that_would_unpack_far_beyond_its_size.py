"""An .xlsx is a zip: a few megabytes can unpack to gigabytes (a "zip bomb"), which would take the server's
memory while the import reads it. The MIS and vendor-log imports look at the sizes the zip declares first, and
refuse a workbook that would unpack to far more than a real export, without unpacking anything."""

from __future__ import annotations

import pytest

from filtering import vendor
from safeguarding_portal.schools import tables
from safeguarding_portal.schools.importer import FileRejected, import_people
from safeguarding_portal.schools.models import ImportRun, Pupil

from .spreadsheets import workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["UPN", "Legal Forename", "Surname", "DOB", "Year"]


def _padded_workbook() -> bytes:
    # Long runs of one letter, as a bomb is made of: each cell different, so none is stored only once.
    filler = [[f"A{i:012d}", "x" * 30_000 + str(i), "Smith", "17/05/2016", 5] for i in range(60)]
    return workbook_bytes({"Roll": [HEADER, *filler]})


def test_a_workbook_that_unpacks_to_a_hundred_times_its_size_is_refused_unread(school, monkeypatch):
    data = _padded_workbook()
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a) or pytest.fail("unpacked"))
    run = import_people(school=school, kind="pupils", data=data, filename="roll.xlsx")
    assert run.status == ImportRun.Status.REJECTED
    [error] = run.errors
    assert error["row"] is None and "unpack" in error["message"] and "save it again" in error["message"]
    assert not opened and not Pupil.objects.exists()
    with pytest.raises(FileRejected, match="unpack"):
        vendor.read_table(data=data)


def test_a_workbook_over_the_unpacked_limit_is_refused_whatever_its_ratio(school, monkeypatch):
    ordinary = workbook_bytes({"Roll": [HEADER, ["A123456789012", "Oliver", "Smith", "17/05/2016", 5]]})
    assert import_people(school=school, kind="pupils", data=ordinary).status == ImportRun.Status.APPLIED
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 2_000)
    run = import_people(school=school, kind="pupils", data=ordinary, filename="roll.xlsx")
    assert run.status == ImportRun.Status.REJECTED and "unpack" in run.errors[0]["message"]

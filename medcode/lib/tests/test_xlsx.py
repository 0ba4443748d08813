"""lib/xlsx: rows of any worksheet, and date cells as dates when asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from medcode.lib.errors import DataFileError
from medcode.lib.xlsx import Workbook, is_date_format


def test_it_reads_every_worksheet_and_dates_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = OpenpyxlWorkbook()
    first = book.active
    assert first is not None
    first.append(["notes only"])
    second = book.create_sheet("data")
    second.append(["code", "added", "units"])
    second.append(["E0950", dt.date(2001, 4, 1), 2])
    second["B2"].number_format = "mm/dd/yyyy"
    second.append(["E0951", None, 1.5])
    book.save(path)

    with Workbook(path, dates=True) as wb:
        assert len(wb.sheets) == 2
        assert list(wb.rows()) == [(1, ["notes only"])]
        rows = list(wb.rows(wb.sheets[1]))
    assert rows[1] == (2, ["E0950", dt.date(2001, 4, 1), 2])
    assert rows[2] == (3, ["E0951", None, 1.5])
    with Workbook(path) as wb:  # without dates=True the serial number, as stored
        assert (
            list(wb.rows(wb.sheets[1]))[1][1][1]
            == (dt.date(2001, 4, 1) - dt.date(1899, 12, 30)).days
        )


@pytest.mark.parametrize(
    ("code", "is_date"),
    [
        ("mm/dd/yyyy", True),
        ("d-mmm-yy", True),
        ("0.00", False),
        ('"day "0', False),
        ("h:mm", False),
    ],
)
def test_a_custom_number_format_is_a_date_when_it_shows_a_day_or_year(code: str, is_date: bool):
    assert is_date_format(code) is is_date


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(DataFileError, match="not a readable xlsx workbook"):
        Workbook(path)

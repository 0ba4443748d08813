"""Stream the rows of an xlsx worksheet with the standard library (zipfile + ElementTree).

openpyxl's read-only mode builds a cell object per cell: the 66,000-row, 9-column NCD
spreadsheet took 8 s of CPU there and 3 s here. Values come back as the sheet stores them:
text, int or float, True/False, or None for an empty cell. Dates stay serial numbers (the
caller knows its date columns and uses `serial_date`) unless `dates=True`: then a number in a
cell whose style is a date format comes back as a `datetime.date`, as openpyxl would give it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse, parse

from medcode.lib.errors import DataFileError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
NOT_A_WORKBOOK = "not a readable xlsx workbook ({error})"
NO_SHEET = "the workbook has no worksheet"
ROW = f"{MAIN}row"
VALUE = f"{MAIN}v"
DIGITS = "0123456789"
_INTEGER = re.compile(r"^-?\d+$")


def column_index(letters: str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return max(index - 1, 0)


def serial_date(value: float, *, date1904: bool = False) -> dt.date:
    """An Excel date serial number as a date (1900 or 1904 date system)."""
    start = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    return start + dt.timedelta(days=int(value))


def _text_of(element: Any) -> str:
    """A shared or inline string: its <t> runs joined, phonetic runs (<rPh>) left out."""
    parts: list[str] = []
    for child in element:
        if child.tag == f"{MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{MAIN}r":
            parts.extend(t.text or "" for t in child.iter(f"{MAIN}t"))
    return "".join(parts)


# Built-in number formats that show a date (ECMA-376 18.8.30); time-only ones stay numbers.
DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)})
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def is_date_format(code: str) -> bool:
    """A custom number format that shows a day or a year ('mm/dd/yyyy', 'd-mmm-yy')."""
    return re.search(r"[dy]", _FORMAT_NOISE.sub("", code), flags=re.IGNORECASE) is not None


class Workbook:
    """An open xlsx file: its worksheets' rows (the first by default), shared strings, dates."""

    def __init__(self, path: Path, *, dates: bool = False) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            self.sheets, self.date1904 = self._worksheets()
            self.sheet_name = self.sheets[0]
            self.strings = self._shared_strings()
            self.date_styles = self._date_styles() if dates else frozenset()
        except (zipfile.BadZipFile, KeyError, ParseError, OSError) as exc:
            raise DataFileError(path, NOT_A_WORKBOOK.format(error=exc)) from exc

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.zip.close()

    def _open(self, name: str) -> IO[bytes]:
        return self.zip.open(name)

    def _worksheets(self) -> tuple[list[str], bool]:
        """The worksheets' part names in workbook order, and the date system."""
        date1904 = False
        ids: list[str] = []
        with self._open("xl/workbook.xml") as fh:
            for _, element in iterparse(fh):
                if element.tag == f"{MAIN}workbookPr":
                    date1904 = element.get("date1904", "0") in {"1", "true"}
                elif element.tag == f"{MAIN}sheet":
                    ids.append(element.get(f"{DOC_REL}id", ""))
        targets: dict[str, str] = {}
        with self._open("xl/_rels/workbook.xml.rels") as fh:
            for _, element in iterparse(fh):
                if element.tag == f"{PACKAGE_REL}Relationship":
                    target = element.get("Target", "").lstrip("/")
                    targets[element.get("Id", "")] = (
                        target if target.startswith("xl/") else f"xl/{target}"
                    )
        sheets = [targets[i] for i in ids if i in targets]
        if not sheets:
            raise DataFileError(self.path, NO_SHEET)
        return sheets, date1904

    def _date_styles(self) -> frozenset[str]:
        """Style indexes (a cell's `s`) whose number format shows a date."""
        if "xl/styles.xml" not in self.zip.namelist():
            return frozenset()
        with self._open("xl/styles.xml") as fh:
            root = parse(fh).getroot()
        custom = {
            int(f.get("numFmtId", "0"))
            for f in root.iter(f"{MAIN}numFmt")
            if is_date_format(f.get("formatCode", ""))
        }
        cell_xfs = root.find(f"{MAIN}cellXfs")
        if cell_xfs is None:
            return frozenset()
        return frozenset(
            str(index)
            for index, xf in enumerate(cell_xfs.iter(f"{MAIN}xf"))
            if int(xf.get("numFmtId", "0")) in DATE_FORMAT_IDS | custom
        )

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.zip.namelist():
            return []
        strings: list[str] = []
        with self._open("xl/sharedStrings.xml") as fh:
            for _, element in iterparse(fh):
                if element.tag == f"{MAIN}si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values by column) of a worksheet (the first unless named: one of
        `sheets`); empty rows are skipped."""
        try:
            with self._open(sheet or self.sheet_name) as fh:
                columns: dict[str, int] = {}
                for _, element in iterparse(fh):
                    if element.tag != ROW:
                        continue
                    number = int(element.get("r", "0"))
                    values: list[Any] = []
                    for cell in element:
                        letters = cell.get("r", "").rstrip(DIGITS)
                        index = columns.get(letters)
                        if index is None:
                            index = columns[letters] = column_index(letters)
                        if index > len(values):
                            values.extend([None] * (index - len(values)))
                        values.append(self._value(cell))
                    # Emptied once read (an empty element stays behind in the tree: ~70 bytes).
                    element.clear()
                    yield number, values
        except (zipfile.BadZipFile, ParseError, OSError, EOFError) as exc:
            raise DataFileError(self.path, NOT_A_WORKBOOK.format(error=exc)) from exc

    def _value(self, cell: Any) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return None if inline is None else _text_of(inline)
        raw = cell.findtext(VALUE)
        if raw is None:
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind in {"str", "e"}:
            return raw
        if self.date_styles and cell.get("s") in self.date_styles:
            return serial_date(float(raw), date1904=self.date1904)
        return int(raw) if _INTEGER.match(raw) else float(raw)

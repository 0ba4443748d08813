"""Stream the rows of an xlsx worksheet with the standard library (zipfile + ElementTree).

openpyxl's read-only mode builds a cell object per cell: the 66,000-row, 9-column NCD
spreadsheet took 8 s of CPU there and 3 s here. Values come back as the sheet stores them:
text, int or float (dates stay serial numbers: the caller knows its date columns and turns
them into dates with `serial_date`), True/False, or None for an empty cell.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse

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


class Workbook:
    """An open xlsx file: its first worksheet's rows, shared strings and date system."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            self.sheet_name, self.date1904 = self._first_sheet()
            self.strings = self._shared_strings()
        except (zipfile.BadZipFile, KeyError, ParseError, OSError) as exc:
            raise DataFileError(path, NOT_A_WORKBOOK.format(error=exc)) from exc

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.zip.close()

    def _open(self, name: str) -> IO[bytes]:
        return self.zip.open(name)

    def _first_sheet(self) -> tuple[str, bool]:
        date1904 = False
        first_id = ""
        with self._open("xl/workbook.xml") as fh:
            for _, element in iterparse(fh):
                if element.tag == f"{MAIN}workbookPr":
                    date1904 = element.get("date1904", "0") in {"1", "true"}
                elif element.tag == f"{MAIN}sheet" and not first_id:
                    first_id = element.get(f"{DOC_REL}id", "")
        if not first_id:
            raise DataFileError(self.path, NO_SHEET)
        with self._open("xl/_rels/workbook.xml.rels") as fh:
            for _, element in iterparse(fh):
                if element.tag == f"{PACKAGE_REL}Relationship" and element.get("Id") == first_id:
                    target = element.get("Target", "").lstrip("/")
                    return (target if target.startswith("xl/") else f"xl/{target}"), date1904
        raise DataFileError(self.path, NO_SHEET)

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

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values by column) of the first worksheet; empty rows are skipped."""
        try:
            with self._open(self.sheet_name) as fh:
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
        return int(raw) if _INTEGER.match(raw) else float(raw)

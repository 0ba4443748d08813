"""The CMS NCD coding spreadsheet ("ICD-10 NCD spreadsheet") of the lab and other NCDs.

One sheet: legend rows (the change month, the resolution codes), then a header in two rows
(`NCD Number`, `NCD DESCRIPTION`, `CPT/HCPCS CODES`, `CPT/HCPCS EFF DATE`, `CPT/HCPCS TERM
DATE`, `ICD-10 CODE`, `ICD-10 EFF DATE`, `ICD-10 TERM DATE`, `RESOLUTION CODE`), read by name.
Each NCD's rows hold two lists side by side: the CPT/HCPCS codes it applies to (only on its
first rows) and the ICD-10-CM codes with their resolution (1 covered by Medicare, 2 denied,
3 does not support medical necessity). The description is on an NCD's first row only.

Each NCD's diagnosis list ends with one row whose code is `@@@@@@@`: CMS's entry for every
ICD-10-CM code the NCD does not list. Its resolution is the complement of the listed ones
(3 where the NCD lists covered codes, 1 for NCD 190.15, which lists the codes that do not
support medical necessity), so it is kept as it is, under the code ALL_OTHERS.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcode.codes.importers.base import Dataset, LoadContext, ReleaseInfo, name_matches
from medcode.codes.models import CodeSystem, NcdCodeListing
from medcode.lib.codeshapes import HCPCS_COLUMN_CODE, ICD10CM_STORED_CODE
from medcode.lib.errors import DataFileError
from medcode.lib.xlsx import Workbook, serial_date

FILE_NAME = r".*ICD-?10[-_ ]NCD[-_ ]Spreadsheet.*\.xlsx"
# Header cells (the two header rows joined) -> field, by the words each begins with.
COLUMNS = {
    "NCD NUMBER": "ncd",
    "NCD DESCRIPTION": "title",
    "CPT/HCPCS CODES": "procedure",
    "CPT/HCPCS EFF DATE": "procedure_effective",
    "CPT/HCPCS TERM DATE": "procedure_terminated",
    "ICD-10 CODE": "diagnosis",
    "ICD-10 EFF DATE": "diagnosis_effective",
    "ICD-10 TERM DATE": "diagnosis_terminated",
    "RESOLUTION CODE": "resolution",
}
RESOLUTIONS = {
    1: "covered by Medicare",
    2: "denied",
    3: "does not support medical necessity",
}
CHANGE_MONTH = re.compile(r"indicates an? ([A-Za-z]+) (\d{4}) change", re.IGNORECASE)
MONTHS = {calendar.month_name[i].lower(): i for i in range(1, 13)}
HEADER_SCAN_ROWS = 20
ALL_OTHERS = "@@@@@@@"
NCD_NUMBER = re.compile(r"^\d{2,3}(?:\.\d+)?[A-Z]?$")
NCD_FIELDS = (
    "ncd",
    "title",
    "system",
    "code",
    "effective_on",
    "terminated_on",
    "resolution",
    "line",
)

NO_HEADER = "no NCD spreadsheet header (NCD Number ... RESOLUTION CODE) in the first {rows} rows"
MISSING_COLUMNS = "the header lacks column(s): {missing}"
NO_CHANGE_MONTH = (
    'the legend does not say the release month ("... indicates a <Month> <Year> change")'
)
BAD_NCD = "bad NCD number {value!r}"
NO_NCD = "a code row without an NCD number"
BAD_PROCEDURE = "not a CPT/HCPCS code: {value!r}"
BAD_DIAGNOSIS = "not an ICD-10-CM code: {value!r}"
BAD_RESOLUTION = "resolution code must be 1, 2 or 3, not {value!r}"
NO_RESOLUTION = "ICD-10-CM code {code} has no resolution code"
BAD_DATE = "bad date {value!r} in column {column}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _header_fields(first: list[Any], second: list[Any]) -> dict[str, int]:
    """Field -> column index, from the two header rows joined cell by cell."""
    found: dict[str, int] = {}
    for index in range(max(len(first), len(second))):
        top = _text(first[index]) if index < len(first) else ""
        bottom = _text(second[index]) if index < len(second) else ""
        joined = re.sub(r"\s+", " ", f"{top} {bottom}").strip().upper()
        for name, field in COLUMNS.items():
            if joined.startswith(name) and field not in found:
                found[field] = index
    return found


def _scan(path: Path, rows: Iterator[tuple[int, list[Any]]]) -> tuple[dict[str, int], str, int]:
    """Read the legend and the header: (columns, legend text, number of the last header row)."""
    legend: list[str] = []
    previous: list[Any] = []
    for number, values in rows:
        if number > HEADER_SCAN_ROWS:
            break
        columns = _header_fields(previous, values)
        if "ncd" in columns and "resolution" in columns:
            missing = [name for name, field in COLUMNS.items() if field not in columns]
            if missing:
                raise DataFileError(
                    path, MISSING_COLUMNS.format(missing=", ".join(missing)), line=number
                )
            return columns, " ".join(legend), number
        legend.extend(_text(v) for v in values if v is not None)
        previous = values
    raise DataFileError(path, NO_HEADER.format(rows=HEADER_SCAN_ROWS), line=1)


def _date(path: Path, line: int, value: Any, column: str, *, date1904: bool) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return serial_date(value, date1904=date1904)
    text = str(value).strip()
    for pattern in ("%m/%d/%Y", "%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise DataFileError(path, BAD_DATE.format(value=value, column=column), line=line)


def _ncd_number(path: Path, line: int, value: Any) -> str:
    # A number cell holds the NCD as Excel stores it (190.12); text cells keep their zeros.
    text = repr(value) if isinstance(value, float) else _text(value)
    if not NCD_NUMBER.match(text):
        raise DataFileError(path, BAD_NCD.format(value=value), line=line)
    return text


def _procedure(path: Path, line: int, value: Any) -> str:
    text = str(value).zfill(5) if isinstance(value, int) else _text(value).upper()
    if not HCPCS_COLUMN_CODE.match(text):
        raise DataFileError(path, BAD_PROCEDURE.format(value=value), line=line)
    return text


def parse_ncd_sheet(path: Path) -> Iterator[tuple[object, ...]]:
    """Rows of NCD_FIELDS: the procedure list and the diagnosis list of every NCD.

    66,000 rows: values met before (NCD numbers, codes, date serials) are checked once.
    """
    with Workbook(path) as book:
        rows = book.rows()
        columns, _, _ = _scan(path, rows)
        ncd_at, title_at = columns["ncd"], columns["title"]
        proc_at, diag_at, resolution_at = (
            columns["procedure"],
            columns["diagnosis"],
            columns["resolution"],
        )
        proc_dates = (columns["procedure_effective"], columns["procedure_terminated"])
        diag_dates = (columns["diagnosis_effective"], columns["diagnosis_terminated"])
        width = max(columns.values()) + 1
        numbers: dict[Any, str] = {}
        diagnoses: dict[Any, str] = {}
        dates: dict[Any, dt.date | None] = {}

        def date(line: int, value: Any, column: str) -> dt.date | None:
            if value is None:
                return None
            found = dates.get(value, dt.date.min)
            if found == dt.date.min:
                found = dates[value] = _date(path, line, value, column, date1904=book.date1904)
            return found

        ncd, title = "", ""
        # _scan stopped at the header: the rows left are the data.
        for line, values in rows:
            cells = values + [None] * (width - len(values)) if len(values) < width else values
            raw_ncd = cells[ncd_at]
            if raw_ncd is not None and raw_ncd != "":
                number = numbers.get(raw_ncd)
                if number is None:
                    number = numbers[raw_ncd] = _ncd_number(path, line, raw_ncd)
                if number != ncd:
                    ncd, title = number, ""
            elif all(v is None or _text(v) == "" for v in cells):
                continue
            elif not ncd:
                raise DataFileError(path, NO_NCD, line=line)
            if cells[title_at] is not None and _text(cells[title_at]):
                title = _text(cells[title_at])
            if cells[proc_at] is not None and _text(cells[proc_at]):
                yield (
                    ncd,
                    title,
                    CodeSystem.HCPCS,
                    _procedure(path, line, cells[proc_at]),
                    date(line, cells[proc_dates[0]], "CPT/HCPCS EFF DATE"),
                    date(line, cells[proc_dates[1]], "CPT/HCPCS TERM DATE"),
                    None,
                    line,
                )
            raw_diagnosis = cells[diag_at]
            if raw_diagnosis is None or raw_diagnosis == "":
                continue
            diagnosis = diagnoses.get(raw_diagnosis)
            if diagnosis is None:
                diagnosis = _text(raw_diagnosis).upper().replace(".", "")
                if diagnosis != ALL_OTHERS and not ICD10CM_STORED_CODE.match(diagnosis):
                    raise DataFileError(path, BAD_DIAGNOSIS.format(value=raw_diagnosis), line=line)
                diagnoses[raw_diagnosis] = diagnosis
            resolution = cells[resolution_at]
            if resolution not in RESOLUTIONS:
                text = _text(resolution)
                if not text:
                    raise DataFileError(path, NO_RESOLUTION.format(code=diagnosis), line=line)
                if text not in {"1", "2", "3"}:
                    raise DataFileError(path, BAD_RESOLUTION.format(value=resolution), line=line)
                resolution = int(text)
            yield (
                ncd,
                title,
                CodeSystem.ICD10CM,
                diagnosis,
                date(line, cells[diag_dates[0]], "ICD-10 EFF DATE"),
                date(line, cells[diag_dates[1]], "ICD-10 TERM DATE"),
                resolution,
                line,
            )


def load_ncd_sheet(ctx: LoadContext) -> dict[str, int]:
    return {"ncd_codes": ctx.insert(NcdCodeListing, NCD_FIELDS, parse_ncd_sheet(ctx.path))}


def describe(path: Path) -> ReleaseInfo:
    """The release month the legend names; the file name's date (YYYYMMDD) is its issue date."""
    with Workbook(path) as book:
        _, legend, _ = _scan(path, book.rows())
    found = CHANGE_MONTH.search(legend)
    month = MONTHS.get(found.group(1).lower()) if found else None
    if found is None or month is None:
        raise DataFileError(path, NO_CHANGE_MONTH)
    year = int(found.group(2))
    label = f"{found.group(1).title()} {year}"
    issued = re.search(r"(20\d\d)(\d\d)(\d\d)\D*$", path.stem)
    if issued:
        label += f" (issued {issued.group(1)}-{issued.group(2)}-{issued.group(3)})"
    return ReleaseInfo(version_label=label, effective_from=dt.date(year, month, 1))


def matches(path: Path, header: list[str]) -> bool:
    if not name_matches(path, FILE_NAME):
        return False
    try:
        with Workbook(path) as book:
            _scan(path, book.rows())
    except DataFileError as exc:
        # Named right with a header that lacks columns: taken, so the import says which.
        return exc.message.startswith("the header lacks")
    return True


DATASETS = [
    Dataset(
        name="ncd_coding_spreadsheet",
        title="NCD coding spreadsheet (CMS lab and other NCDs)",
        code_system="",
        matches=matches,
        describe=describe,
        load=load_ncd_sheet,
        order=40,
        is_large=True,
    ),
]

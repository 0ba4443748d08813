"""NCCI edit tables: procedure-to-procedure (PTP) pairs, medically unlikely edits (MUE) and
add-on code (AOC) edits, from the official CMS files and the shared normalised CSVs.

Releases and how lookups find them
- PTP: CMS ships each quarter's table (practitioner `ccipra`, outpatient hospital `ccioph`)
  as four files f1..f4 of one version (`v302` = 30.2 = 2024Q3: year 1994 + 30, quarter 2 + 1).
  Each file is its own import and its own Release, labelled "2024Q3 (v30.2) part 1" with the
  quarter's dates, so importing f2 never replaces f1 (a revision r1 of f2 does replace r0).
  The number of parts is in no file, so the label does not claim "of 4". A shared CSV of a
  whole quarter is one Release "2024Q3 (v30.2)". A quarter is held whole or in parts, never
  both: loading one form deletes the other form of the same quarter, or every edit of that
  quarter would be found twice. The edits in force on a date of service for a table are the
  rows of *all* its dataset's releases with the latest effective_from on or before that date
  (`release_ids_in_force`); `Release.is_current` marks only one of the parts (services.py).
- effective_on is NULL when the source has no effective date (the shared CSVs dropped it):
  such an edit is in force from its release's effective_from. Storing the release date
  instead would invent a date and would put deleted edits' start after their deletion.
- Duplicates: a (column 1, column 2) pair may repeat (deleted and re-added edits: 307,551
  repeat rows in the 2024Q3 practitioner table, one pair even with the same deletion date and
  two rationales), so only an exact repeat of a whole row is refused. CMS files are sorted by
  column 1 then column 2, so repeats are adjacent and the check needs no memory.
- MUE: official files are one table each (datasets ncci_mue_practitioner/_hospital/_dme); the
  shared CSV holds all three (ncci_mue). service_type is practitioner, outpatient_hospital or
  dme. A partial release (see PARTIAL_DATASETS) must never stand in for a whole table.
- AOC: an edit ends at the earliest of its own deletion date and the deletion dates of the
  add-on and primary codes (the official file's Julian YYYYDDD dates; 9999999 or blank =
  none). From 2026 CMS publishes the file as xlsx (row 1 the AMA notice, row 2 the header).
- None of these files carries code descriptors: rationales and notes are CMS text. A column
  that looks like a descriptor still goes through `refuse_licensed_text`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zlib
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
    parse_date,
    refuse_licensed_text,
)
from medcode.codes.models import AddOnEdit, MueLimit, PtpEdit, Release
from medcode.lib.datafiles import open_text
from medcode.lib.errors import DataFileError
from medcode.lib.in_force import quarter_in_force

# Datasets whose releases hold only part of a table: the 2026Q2 practitioner MUE file has
# the MAI 3 codes only. A lookup on a 2026 date for a code absent from it must not fall back
# silently to an older release or report "no MUE": the rules layer decides what to say.
PARTIAL_DATASETS = ("ncci_mue_mai3_partial",)

# The PTP datasets by table, for the rules' lookups.
PTP_DATASETS = {"practitioner": "ncci_ptp_practitioner", "hospital": "ncci_ptp_hospital"}

OFFICIAL_ENCODING = "cp1252"  # CMS writes the AMA notice with a cp1252 registered sign
CODE_SHAPE = re.compile(r"^[0-9A-Z]{5}$")
MODIFIER_INDICATORS = {"0": "0", "1": "1", "9": "9"}
PRIOR_1996 = {"": False, "*": True}
# The word that must appear in an MAI's wording ("1 Line Edit", "2 Date of Service Edit: Policy").
MAI_WORD = {1: "line", 2: "policy", 3: "clinical"}
SERVICE_TYPES = {
    "practitioner": "practitioner",
    "outpatient_hospital": "outpatient_hospital",
    "outpatient hospital": "outpatient_hospital",
    "hospital": "outpatient_hospital",
    "dme": "dme",
    "dme_supplier": "dme",
    "dme supplier": "dme",
}
DESCRIPTOR_COLUMN = re.compile(r"descri(?:ption|ptor)")
MAX_RATIONALE = 120
MAX_NOTES = 255
HEADER_SEARCH_ROWS = 40

BAD_CODE = "not a HCPCS/CPT code: {value!r} in column {column}"
BAD_MODIFIER_INDICATOR = "modifier indicator must be 0, 1 or 9, not {value!r}"
BAD_PRIOR_1996 = "the prior-1996 flag must be '*' or empty, not {value!r}"
BAD_FIELD_COUNT = "expected {expected} fields, found {found}"
BAD_MAI = "MUE adjudication indicator must be 1, 2 or 3, not {value!r}"
MAI_MISMATCH = "MAI {mai} is described as {text!r}"
BAD_MUE_VALUE = "MUE value must be a whole number of units, not {value!r}"
BAD_SERVICE_TYPE = "unknown service type {value!r} (practitioner, outpatient_hospital, dme)"
BAD_AOC_TYPE = "AOC edit type must be 1, 2 or 3, not {value!r}"
TOO_LONG = "{column} is longer than {limit} characters"
DUPLICATE_ROW = "exact duplicate of the row on line {first}"
NO_HEADER = "no header row naming the columns ({expected}) in the first {rows} rows"
MISSING_COLUMNS = "missing column(s): {missing}; found: {found}"
BAD_VERSION = "cannot tell the NCCI version from the file name (expected v<MM><m>, m 0-3)"
BAD_QUARTER_NAME = "cannot tell the quarter from the file name"
BAD_EFFECTIVE_NAME = "cannot tell the effective date from the file name"
WRONG_MUE_TABLE = "the header names {found!r}, not the {expected} table the file name says"

PtpRow = tuple[str, str, bool, dt.date | None, dt.date | None, str, str]
MueRow = tuple[str, str, int, int, str]
AocRow = tuple[str, str, int, dt.date | None, dt.date | None, str]


# --- reading tables ------------------------------------------------------------------------


def _squash(name: str) -> str:
    """A header cell reduced to letters and digits: "AOC_DEL_DT_JULIAN" -> "aocdeldtjulian"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _reader(fh: Any, delimiter: str) -> Any:
    """Tab-delimited files are never quoted: a stray quote must not swallow lines."""
    if delimiter == "\t":
        return csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
    return csv.reader(fh, delimiter=delimiter)


@contextmanager
def _table(
    path: Path,
    *,
    is_header: Callable[[list[str]], bool],
    expected: str,
    delimiter: str = ",",
    encoding: str = "utf-8",
    search_rows: int = 1,
) -> Iterator[tuple[Any, list[str]]]:
    """Open a CSV/TSV, find its header row among the first rows; yield (csv reader, header).

    Gzip and encoding failures while the caller reads rows become DataFileErrors naming the
    line reached (reader.line_num counts physical lines, so multi-line cells are counted).
    """
    with open_text(path, encoding=encoding) as fh:
        reader = _reader(fh, delimiter)
        try:
            for _ in range(search_rows):
                row = next(reader, None)
                if row is None:
                    break
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                if is_header(header):
                    yield reader, header
                    return
            raise DataFileError(
                path, NO_HEADER.format(expected=expected, rows=search_rows), line=reader.line_num
            )
        except (EOFError, OSError, zlib.error) as exc:
            raise DataFileError(
                path, f"the gzip data is truncated or corrupt ({exc})", line=reader.line_num + 1
            ) from exc
        except UnicodeDecodeError as exc:
            raise DataFileError(
                path, f"not valid text ({exc.reason})", line=reader.line_num + 1
            ) from exc
        except csv.Error as exc:
            raise DataFileError(path, f"malformed CSV ({exc})", line=reader.line_num) from exc


def _peek_rows(path: Path, *, delimiter: str, rows: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    """The first rows of an official file (for matching); [] when it cannot be read."""
    try:
        with open_text(path, encoding=OFFICIAL_ENCODING) as fh:
            reader = _reader(fh, delimiter)
            return [[c.strip() for c in row] for _, row in zip(range(rows), reader, strict=False)]
    except (DataFileError, OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error):
        return []


def _columns(path: Path, header: list[str], wanted: dict[str, tuple[str, ...]]) -> list[int]:
    """Positions of the wanted columns (each known by squashed aliases), in `wanted` order."""
    squashed = [_squash(h) for h in header]
    positions: list[int] = []
    missing: list[str] = []
    for name, aliases in wanted.items():
        found = next((i for i, h in enumerate(squashed) if h in aliases), None)
        if found is None:
            missing.append(name)
        else:
            positions.append(found)
    if missing:
        raise DataFileError(
            path,
            MISSING_COLUMNS.format(missing=", ".join(missing), found=", ".join(header)),
            line=1,
        )
    return positions


def _descriptor_columns(header: list[str]) -> list[int]:
    return [
        i
        for i, h in enumerate(header)
        if DESCRIPTOR_COLUMN.search(h.lower()) and "mai" not in h.lower()
    ]


def _code(path: Path, line: int, value: str, column: str) -> str:
    code = value.strip().upper()
    if not CODE_SHAPE.match(code):
        raise DataFileError(path, BAD_CODE.format(value=value, column=column), line=line)
    return code


def _text(path: Path, line: int, value: str, column: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise DataFileError(path, TOO_LONG.format(column=column, limit=limit), line=line)
    return text


def _int(path: Path, line: int, value: str, message: str, allowed: range) -> int:
    value = value.strip()
    if not value.isdigit() or int(value) not in allowed:
        raise DataFileError(path, message.format(value=value), line=line)
    return int(value)


# --- PTP -------------------------------------------------------------------------------------

PTP_CSV_COLUMNS = ("column_1", "column_2", "deletion_date", "modifier_indicator")
PTP_TXT_NAME = r"cci(pra|oph)-v(\d\d)(\d)r(\d+)-f(\d+)\.txt"
PTP_CSV_NAMES = {
    "ncci_ptp_practitioner": r"ncci_ptp_practitioner_(\d{4})q([1-4])\.csv",
    "ncci_ptp_hospital": r"ncci_ptp_outpatient_hospital_(\d{4})q([1-4])\.csv",
}
PTP_TABLE_CODES = {"ncci_ptp_practitioner": "pra", "ncci_ptp_hospital": "oph"}


def _is_ptp_title_row(row: list[str]) -> bool:
    return len(row) >= 2 and _squash(row[0]) == "column1" and _squash(row[1]) == "column2"


def quarter_release(year: int, quarter: int, label: str) -> ReleaseInfo:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return ReleaseInfo(label, start, end - dt.timedelta(days=1))


def ncci_version(year: int, quarter: int) -> str:
    """NCCI numbers versions from 1994: 2024Q3 is v30.2."""
    return f"v{year - 1994}.{quarter - 1}"


def describe_ptp(path: Path) -> ReleaseInfo:
    found = re.search(PTP_TXT_NAME, path.name, flags=re.IGNORECASE)
    if found:
        major, minor, part = int(found.group(2)), int(found.group(3)), int(found.group(5))
        if minor > 3:
            raise DataFileError(path, BAD_VERSION)
        year, quarter = 1994 + major, minor + 1
        label = f"{year}Q{quarter} ({ncci_version(year, quarter)}) part {part}"
        return quarter_release(year, quarter, label)
    found = re.search(r"_(\d{4})q([1-4])\.csv", path.name, flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, BAD_QUARTER_NAME)
    year, quarter = int(found.group(1)), int(found.group(2))
    return quarter_release(year, quarter, f"{year}Q{quarter} ({ncci_version(year, quarter)})")


def parse_ptp_txt(path: Path) -> Iterator[PtpRow]:
    """The official tab-delimited file: notice lines, column titles (maybe over several
    lines), then column 1, column 2, '*' before 1996, effective YYYYMMDD, deletion YYYYMMDD
    or '*', modifier indicator, rationale (DATA_LAYOUTS.md 2.2)."""
    with _table(
        path,
        is_header=_is_ptp_title_row,
        expected="Column 1, Column 2, ...",
        delimiter="\t",
        encoding=OFFICIAL_ENCODING,
        search_rows=HEADER_SEARCH_ROWS,
    ) as (reader, _header):
        rows = iter(reader)
        # Column titles may continue on the next lines, with an empty first cell.
        first = next((row for row in rows if row and row[0].strip()), None)
        if first is None:
            return
        yield from _ptp_rows(path, reader, chain([first], rows), official=True)


def parse_ptp_csv(path: Path) -> Iterator[PtpRow]:
    """The shared normalised CSV: column_1, column_2, [prior_1996], [effective_date],
    deletion_date (ISO, empty = not deleted), modifier_indicator, [ptp_edit_rationale]."""
    with _table(
        path,
        is_header=lambda h: all(c in [x.lower() for x in h] for c in PTP_CSV_COLUMNS),
        expected=", ".join(PTP_CSV_COLUMNS),
    ) as (reader, header):
        yield from _ptp_rows(path, reader, reader, official=False, header=header)


def _ptp_rows(
    path: Path,
    reader: Any,
    rows: Iterator[list[str]],
    *,
    official: bool,
    header: list[str] | None = None,
) -> Iterator[PtpRow]:
    """The hot loop (4.3 million rows in the shared data): values that repeat (codes, dates,
    rationales) are checked once and then found in dicts; `reader.line_num` names the line."""
    if official:
        width, pick = 7, itemgetter(0, 1, 2, 3, 4, 5, 6)
    else:
        assert header is not None
        names = [h.lower() for h in header]
        width = len(names)
        optional = [
            names.index(c) if c in names else width
            for c in ("prior_1996", "effective_date", "ptp_edit_rationale")
        ]
        c1, c2, deleted, modifier = (names.index(c) for c in PTP_CSV_COLUMNS)
        # Absent optional columns read the empty cell appended to every row.
        pick = itemgetter(c1, c2, optional[0], optional[1], deleted, modifier, optional[2])
    descriptors = _descriptor_columns(header or [])
    codes: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}
    rationales: dict[str, str] = {}
    run: list[tuple[PtpRow, int]] = []  # the rows of the current pair, when it repeats
    last: PtpRow | None = None
    for row in rows:
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue
            if official and len(row) >= 6 and not any(c.strip() for c in row[7:]):
                row = [*row, ""][:7]  # no rationale, or trailing empty cells
            else:
                found = len(row)
                raise DataFileError(
                    path,
                    BAD_FIELD_COUNT.format(expected=width, found=found),
                    line=reader.line_num,
                )
        if not official:
            row.append("")
        one, two, prior, effective, deletion, indicator, rationale = pick(row)
        code_1 = codes.get(one)
        if code_1 is None:
            code_1 = codes[one] = _code(path, reader.line_num, one, "column 1")
        code_2 = codes.get(two)
        if code_2 is None:
            code_2 = codes[two] = _code(path, reader.line_num, two, "column 2")
        is_prior = PRIOR_1996.get(prior)
        if is_prior is None:
            is_prior = PRIOR_1996.get(prior.strip())
            if is_prior is None:
                message = BAD_PRIOR_1996.format(value=prior)
                raise DataFileError(path, message, line=reader.line_num)
        mi = MODIFIER_INDICATORS.get(indicator)
        if mi is None:
            mi = MODIFIER_INDICATORS.get(indicator.strip())
            if mi is None:
                message = BAD_MODIFIER_INDICATOR.format(value=indicator)
                raise DataFileError(path, message, line=reader.line_num)
        try:
            effective_on = dates[effective]
        except KeyError:
            effective_on = dates[effective] = parse_date(
                path, reader.line_num, effective, column="effective date"
            )
        try:
            deleted_on = dates[deletion]
        except KeyError:
            deleted_on = dates[deletion] = parse_date(
                path, reader.line_num, deletion, column="deletion date"
            )
        reason = rationales.get(rationale)
        if reason is None:
            reason = rationales[rationale] = _text(
                path, reader.line_num, rationale, "the rationale", MAX_RATIONALE
            )
        if descriptors:
            for i in descriptors:
                refuse_licensed_text(path, reader.line_num, code_1, row[i])
        edit = (code_1, code_2, is_prior, effective_on, deleted_on, mi, reason)
        # Codes come from `codes`, so equal codes are the same object: `is` is enough.
        if last is not None and code_2 is last[1] and code_1 is last[0]:
            line = reader.line_num
            if not run:
                run.append((last, line - 1))
            for earlier, first in run:
                if earlier == edit:
                    raise DataFileError(path, DUPLICATE_ROW.format(first=first), line=line)
            run.append((edit, line))
        elif run:
            run = []
        last = edit
        yield edit


PTP_FIELDS = (
    "column_1",
    "column_2",
    "prior_1996",
    "effective_on",
    "deleted_on",
    "modifier_indicator",
    "rationale",
)


def load_ptp(ctx: LoadContext) -> dict[str, int]:
    release = ctx.release
    official = re.search(PTP_TXT_NAME, ctx.path.name, flags=re.IGNORECASE) is not None
    quarter = release.version_label.split(" part ")[0]
    same_quarter = Release.objects.filter(dataset=release.dataset).exclude(pk=release.pk)
    if official:  # parts replace a whole-quarter release of the same quarter
        same_quarter.filter(version_label=quarter).delete()
    else:  # and a whole quarter replaces its parts
        same_quarter.filter(version_label__startswith=f"{quarter} part ").delete()
    rows = parse_ptp_txt(ctx.path) if official else parse_ptp_csv(ctx.path)
    return {"ptp_edits": ctx.insert(PtpEdit, PTP_FIELDS, rows)}


def _matches_ptp(dataset: str) -> Callable[[Path, list[str]], bool]:
    def check(path: Path, header: list[str]) -> bool:
        if name_matches(path, PTP_CSV_NAMES[dataset]):
            return all(c in header for c in PTP_CSV_COLUMNS)
        found = re.fullmatch(PTP_TXT_NAME, _plain_name(path), flags=re.IGNORECASE)
        if not found or found.group(1).lower() != PTP_TABLE_CODES[dataset]:
            return False
        return any(_is_ptp_title_row(row) for row in _peek_rows(path, delimiter="\t"))

    return check


def _plain_name(path: Path) -> str:
    name = path.name
    return name[:-3] if name.lower().endswith(".gz") else name


def release_ids_in_force(*, dataset: str, on: dt.date) -> list[int]:
    """The releases whose rows together make `dataset`'s table on date `on`: every part of
    the latest quarter that took effect by then. Empty before the first release (no guess)."""
    releases = list(Release.objects.filter(dataset=dataset).only("dataset", "effective_from"))
    return [r.pk for r in quarter_in_force(releases, on)]


# --- MUE -------------------------------------------------------------------------------------

MUE_OFFICIAL_NAME = (
    r"MCR_MUE_(PractitionerServices|OutpatientHospitalServices|DMESupplierServices)"
    r"_Eff_(\d{2})-(\d{2})-(\d{4})\.csv"
)
MUE_OFFICIAL_KINDS = {
    "practitionerservices": ("ncci_mue_practitioner", "practitioner"),
    "outpatienthospitalservices": ("ncci_mue_hospital", "outpatient_hospital"),
    "dmesupplierservices": ("ncci_mue_dme", "dme"),
}
MUE_CSV_COLUMNS = ("hcpcs", "service_type", "mue_value", "mai")
MUE_SHARED_NAME = r"ncci_mue_(\d{4})q([1-4])\.csv"
MUE_PARTIAL_NAME = r"ncci_mue_practitioner_(\d{4})q([1-4])_mai3_only\.csv"


def _is_mue_official_header(row: list[str]) -> bool:
    squashed = [_squash(c) for c in row]
    return (
        len(squashed) >= 3
        and squashed[0] == "hcpcscptcode"
        and squashed[1].endswith("servicesmuevalues")
        and squashed[2] == "mueadjudicationindicator"
    )


def describe_mue_official(path: Path) -> ReleaseInfo:
    found = re.search(MUE_OFFICIAL_NAME, path.name, flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, BAD_EFFECTIVE_NAME)
    try:
        effective = dt.date(int(found.group(4)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        raise DataFileError(path, BAD_EFFECTIVE_NAME) from None
    quarter = (effective.month - 1) // 3 + 1
    label = f"{effective.year}Q{quarter}"
    if effective != dt.date(effective.year, 3 * quarter - 2, 1):
        label += f" (effective {effective.isoformat()})"  # a correction within the quarter
    info = quarter_release(effective.year, quarter, label)
    return ReleaseInfo(label, effective, info.effective_to)


def describe_mue_shared(path: Path) -> ReleaseInfo:
    found = re.search(r"_(\d{4})q([1-4])(_mai3_only)?\.csv", path.name, flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, BAD_QUARTER_NAME)
    year, quarter = int(found.group(1)), int(found.group(2))
    label = f"{year}Q{quarter}" + (" (MAI 3 only, partial)" if found.group(3) else "")
    return quarter_release(year, quarter, label)


def _mai(path: Path, line: int, value: str, description: str = "") -> int:
    """'3', or the official '3 Date of Service Edit: Clinical'; any wording must fit the digit."""
    value = value.strip()
    digit, _, text = value.partition(" ")
    if digit not in {"1", "2", "3"}:
        raise DataFileError(path, BAD_MAI.format(value=value), line=line)
    mai = int(digit)
    for words in (text, description):
        if words.strip() and MAI_WORD[mai] not in words.lower():
            raise DataFileError(path, MAI_MISMATCH.format(mai=mai, text=words), line=line)
    return mai


def parse_mue_official(path: Path) -> Iterator[MueRow]:
    """MCR_MUE_*Services_Eff_MM-DD-YYYY.csv: a multi-line quoted AMA notice, then
    HCPCS/CPT Code, <kind> Services MUE Values, MUE Adjudication Indicator, MUE Rationale."""
    found = re.search(MUE_OFFICIAL_NAME, path.name, flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, BAD_EFFECTIVE_NAME)
    kind = found.group(1).lower()
    _, service_type = MUE_OFFICIAL_KINDS[kind]
    with _table(
        path,
        is_header=_is_mue_official_header,
        expected="HCPCS/CPT Code, <kind> Services MUE Values, MUE Adjudication Indicator",
        encoding=OFFICIAL_ENCODING,
        search_rows=HEADER_SEARCH_ROWS,
    ) as (reader, header):
        if _squash(header[1]) != f"{kind}muevalues":
            raise DataFileError(
                path,
                WRONG_MUE_TABLE.format(found=header[1], expected=service_type),
                line=reader.line_num,
            )
        yield from _mue_rows(path, reader, header, [0, None, 1, 2, 3], service_type)


def parse_mue_shared(path: Path) -> Iterator[MueRow]:
    """ncci_mue_<yyyy>q<n>.csv (hcpcs, service_type, mue_value, mai, mai_description,
    mue_rationale) and the partial MAI-3 file (hcpcs, service_type, mue_value, mai)."""
    with _table(
        path,
        is_header=lambda h: all(c in [x.lower() for x in h] for c in MUE_CSV_COLUMNS),
        expected=", ".join(MUE_CSV_COLUMNS),
    ) as (reader, header):
        names = [h.lower() for h in header]
        positions: list[int | None] = [names.index(c) for c in MUE_CSV_COLUMNS]
        for optional in ("mue_rationale", "mai_description"):
            positions.append(names.index(optional) if optional in names else None)
        yield from _mue_rows(path, reader, header, positions, None)


def _mue_rows(
    path: Path,
    reader: Any,
    header: list[str],
    positions: list[int | None],
    service_type: str | None,
) -> Iterator[MueRow]:
    """positions: code, service type (None: from the file name), value, MAI, rationale,
    [MAI description]."""
    width = len(header)
    descriptors = _descriptor_columns(header)
    guard = DuplicateGuard(path, "MUE (code, service type)")

    def cell(row: list[str], at: int | None) -> str:
        return row[at] if at is not None else ""

    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in row):
            continue
        if len(row) != width:
            message = BAD_FIELD_COUNT.format(expected=width, found=len(row))
            raise DataFileError(path, message, line=line)
        code = _code(path, line, row[positions[0] or 0], "HCPCS/CPT code")
        kind = service_type
        if kind is None:
            raw = cell(row, positions[1]).strip().lower()
            kind = SERVICE_TYPES.get(raw)
            if kind is None:
                raise DataFileError(path, BAD_SERVICE_TYPE.format(value=raw), line=line)
        value = _int(path, line, cell(row, positions[2]), BAD_MUE_VALUE, range(0, 10**9))
        description = cell(row, positions[5]) if len(positions) > 5 else ""
        mai = _mai(path, line, cell(row, positions[3]), description)
        rationale = _text(path, line, cell(row, positions[4]), "the rationale", MAX_RATIONALE)
        for i in descriptors:
            refuse_licensed_text(path, line, code, row[i])
        guard.check((code, kind), line)
        yield (code, kind, value, mai, rationale)


def load_mue(parse: Callable[[Path], Iterator[MueRow]]) -> Callable[[LoadContext], dict[str, int]]:
    def load(ctx: LoadContext) -> dict[str, int]:
        fields = ("code", "service_type", "value", "mai", "rationale")
        return {"mue_limits": ctx.insert(MueLimit, fields, parse(ctx.path))}

    return load


def _matches_mue_official(dataset: str) -> Callable[[Path, list[str]], bool]:
    def check(path: Path, header: list[str]) -> bool:
        found = re.fullmatch(MUE_OFFICIAL_NAME, _plain_name(path), flags=re.IGNORECASE)
        if not found or MUE_OFFICIAL_KINDS[found.group(1).lower()][0] != dataset:
            return False
        return any(_is_mue_official_header(row) for row in _peek_rows(path, delimiter=","))

    return check


def _matches_csv(pattern: str, columns: tuple[str, ...]) -> Callable[[Path, list[str]], bool]:
    def check(path: Path, header: list[str]) -> bool:
        return name_matches(path, pattern) and all(c in header for c in columns)

    return check


# --- AOC -------------------------------------------------------------------------------------

AOC_OFFICIAL_NAME = r"AOC_V(\d{4})Q([1-4])(?:[_-]\d+)?-MCR\.(txt|csv|xlsx)"
AOC_SHARED_NAME = r"ncci_aoc_(\d{4})q([1-4])\.csv"
AOC_SHARED_COLUMNS = ("add_on_code", "primary_code", "aoc_edit_type")
# Official column titles vary by edition ("AOC_DEL_DT_JULIAN", "AOC_DelDT", ...): squashed
# names with an optional "julian" suffix.
AOC_OFFICIAL_COLUMNS = {
    "add-on code": ("addoncode",),
    "primary code": ("primarycode",),
    "AOC edit type": ("aocedittype",),
    "AOC deletion date": ("aocdeldt", "aocdeldtjulian"),
    "primary code deletion date": ("primarycodedeldt", "primarycodedeldtjulian"),
    "AOC edit effective date": ("aocediteffdt", "aocediteffdtjulian"),
    "AOC edit deletion date": ("aoceditdeldt", "aoceditdeldtjulian"),
}
AOC_NOTES = ("specialinstructionnotes", "specialinstructionnote")


def _is_aoc_header(row: list[str]) -> bool:
    squashed = {_squash(c) for c in row}
    return {"addoncode", "primarycode", "aocedittype"} <= squashed


def describe_aoc(path: Path) -> ReleaseInfo:
    found = re.search(r"(?:_V|_)(\d{4})q([1-4])", path.name, flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, BAD_QUARTER_NAME)
    year, quarter = int(found.group(1)), int(found.group(2))
    return quarter_release(year, quarter, f"{year}Q{quarter}")


def _aoc_delimiter(path: Path) -> str:
    return "," if _plain_name(path).lower().endswith(".csv") else "\t"


def _is_xlsx(path: Path) -> bool:
    return _plain_name(path).lower().endswith(".xlsx")


def _xlsx_records(path: Path) -> Generator[tuple[int, list[str]], None, None]:
    """(row number, cells as text) of an xlsx workbook's first sheet, streamed (empty rows
    skipped; a row may stop before its last empty cells)."""
    from medcode.codes.importers.hcpcs import cell_text
    from medcode.lib.xlsx import Workbook

    with Workbook(path) as book:
        for number, values in book.rows():
            yield number, [cell_text(v) for v in values]


def parse_aoc(path: Path) -> Iterator[AocRow]:
    """The official AOC file (a notice row, then the titled columns, Julian YYYYDDD dates) as
    an xlsx workbook (2026 on), tab-delimited TXT or CSV, or the shared CSV (add_on_code,
    primary_code, aoc_edit_type, aoc_edit_effective_year, special_instruction_note: no dates;
    the year is not a date, so effective_on stays NULL like the shared PTP rows)."""
    official = name_matches(path, AOC_OFFICIAL_NAME)
    if _is_xlsx(path):
        records = _xlsx_records(path)
        for number, row in records:
            if _is_aoc_header(row):
                yield from _aoc_rows(path, row, records, official=True)
                return
            if number >= HEADER_SEARCH_ROWS:
                break
        expected = "Add-on Code, Primary Code, AOC Edit Type, ..."
        message = NO_HEADER.format(expected=expected, rows=HEADER_SEARCH_ROWS)
        raise DataFileError(path, message, line=1)
    with _table(
        path,
        is_header=_is_aoc_header,
        expected="Add-on Code, Primary Code, AOC Edit Type, ...",
        delimiter=_aoc_delimiter(path) if official else ",",
        encoding=OFFICIAL_ENCODING if official else "utf-8",
        search_rows=HEADER_SEARCH_ROWS if official else 1,
    ) as (reader, header):

        def numbered() -> Iterator[tuple[int, list[str]]]:
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                yield line, row

        yield from _aoc_rows(path, header, numbered(), official=official)


def _aoc_rows(
    path: Path, header: list[str], rows: Iterator[tuple[int, list[str]]], *, official: bool
) -> Iterator[AocRow]:
    squashed = [_squash(h) for h in header]
    wanted = dict(list(AOC_OFFICIAL_COLUMNS.items())[: 7 if official else 3])
    positions = _columns(path, header, wanted)
    notes_at = next((i for i, h in enumerate(squashed) if h in AOC_NOTES), None)
    descriptors = _descriptor_columns(header)
    guard = DuplicateGuard(path, "add-on edit (add-on, primary, effective, deleted)")
    width = len(header)
    seen_dates: dict[tuple[str, int], dt.date | None] = {}  # a few hundred distinct values

    def date(line: int, value: str, i: int) -> dt.date | None:
        key = (value, i)
        if key not in seen_dates:
            seen_dates[key] = parse_date(path, line, value, column=names[i])
        return seen_dates[key]

    names = list(AOC_OFFICIAL_COLUMNS)
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        if _is_xlsx(path):  # a worksheet row stops at its last filled cell
            if len(row) < width:
                row = row + [""] * (width - len(row))
            elif not any(c.strip() for c in row[width:]):
                row = row[:width]
        if len(row) != width:
            message = BAD_FIELD_COUNT.format(expected=width, found=len(row))
            raise DataFileError(path, message, line=line)
        addon = _code(path, line, row[positions[0]], "add-on code")
        primary = _code(path, line, row[positions[1]], "primary code")
        edit_type = _int(path, line, row[positions[2]], BAD_AOC_TYPE, range(1, 4))
        effective_on = deleted_on = None
        if official:
            dates = [date(line, row[positions[i]], i) for i in (3, 4, 6)]
            ends = [d for d in dates if d is not None]
            deleted_on = min(ends) if ends else None
            effective_on = date(line, row[positions[5]], 5)
        notes = row[notes_at] if notes_at is not None else ""
        notes = _text(path, line, notes.strip().strip('"'), "the note", MAX_NOTES)
        for i in descriptors:
            refuse_licensed_text(path, line, addon, row[i])
        guard.check((addon, primary, effective_on, deleted_on), line)
        yield (addon, primary, edit_type, effective_on, deleted_on, notes)


def load_aoc(ctx: LoadContext) -> dict[str, int]:
    fields = ("addon", "primary", "edit_type", "effective_on", "deleted_on", "notes")
    return {"addon_edits": ctx.insert(AddOnEdit, fields, parse_aoc(ctx.path))}


def _matches_aoc(path: Path, header: list[str]) -> bool:
    if name_matches(path, AOC_SHARED_NAME):
        return all(c in header for c in AOC_SHARED_COLUMNS)
    if not name_matches(path, AOC_OFFICIAL_NAME):
        return False
    if _is_xlsx(path):
        records = _xlsx_records(path)
        try:
            return any(_is_aoc_header(row) for _, row in islice(records, HEADER_SEARCH_ROWS))
        except DataFileError:
            return False
        finally:
            records.close()
    return any(_is_aoc_header(row) for row in _peek_rows(path, delimiter=_aoc_delimiter(path)))


# --- datasets --------------------------------------------------------------------------------


def _ptp_dataset(name: str, title: str) -> Dataset:
    return Dataset(
        name=name,
        title=title,
        code_system="",
        matches=_matches_ptp(name),
        describe=describe_ptp,
        load=load_ptp,
        order=60,
        is_large=True,
    )


def _mue_official_dataset(name: str, title: str) -> Dataset:
    return Dataset(
        name=name,
        title=title,
        code_system="",
        matches=_matches_mue_official(name),
        describe=describe_mue_official,
        load=load_mue(parse_mue_official),
        order=60,
    )


DATASETS = [
    _ptp_dataset("ncci_ptp_practitioner", "NCCI PTP edits, practitioner"),
    _ptp_dataset("ncci_ptp_hospital", "NCCI PTP edits, outpatient hospital"),
    Dataset(
        name="ncci_mue",
        title="NCCI MUEs (practitioner, outpatient hospital, DME supplier)",
        code_system="",
        matches=_matches_csv(MUE_SHARED_NAME, MUE_CSV_COLUMNS),
        describe=describe_mue_shared,
        load=load_mue(parse_mue_shared),
        order=60,
    ),
    Dataset(
        name="ncci_mue_mai3_partial",
        title="NCCI practitioner MUEs, MAI 3 codes only (partial)",
        code_system="",
        matches=_matches_csv(MUE_PARTIAL_NAME, MUE_CSV_COLUMNS),
        describe=describe_mue_shared,
        load=load_mue(parse_mue_shared),
        order=60,
    ),
    _mue_official_dataset("ncci_mue_practitioner", "NCCI MUEs, practitioner services"),
    _mue_official_dataset("ncci_mue_hospital", "NCCI MUEs, outpatient hospital services"),
    _mue_official_dataset("ncci_mue_dme", "NCCI MUEs, DME supplier services"),
    Dataset(
        name="ncci_aoc",
        title="NCCI add-on code edits",
        code_system="",
        matches=_matches_aoc,
        describe=describe_aoc,
        load=load_aoc,
        order=60,
    ),
]

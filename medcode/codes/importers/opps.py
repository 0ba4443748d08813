"""OPPS Addendum B: status indicator, APC and national payment rate per HCPCS/CPT code.

Sources: the official CMS `<Month>_<YYYY>_Web_Addendum_B.<date>.xlsx` (or its Section 508 CSV):
title lines, then a header row (HCPCS Code, Short Descriptor, SI, APC, Relative Weight, Payment
Rate, National/Minimum Unadjusted Copayment, ...); and the shared normalised
`opps_addendum_b_2026_04.csv.gz` (hcpcs, short_description_level2_only, status_indicator,
payment_rate, changed_vs_prior, release), which has no APC or weights.

Short descriptors of CPT- and CDT-shaped codes are AMA/ADA text: in an official file they are
DROPPED on read and never stored; in the shared CSV (which must have them blank) they are
refused. Level II short descriptors are kept in attributes["short_description"].
"""

from __future__ import annotations

import csv
import re
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
    parse_float,
    refuse_licensed_text,
)
from medcode.codes.importers.hcpcs import (
    detect_encoding,
    header_key,
    iter_xlsx_rows,
    month_number,
    quarter_release,
    xlsx_has_header,
)
from medcode.codes.importers.pfs import LineCounter
from medcode.codes.models import OppsItem
from medcode.lib.codeshapes import CDT_CODE, CPT_CODE, HCPCS_COLUMN_CODE
from medcode.lib.datafiles import iter_csv_dicts, open_text
from medcode.lib.errors import DataFileError

SHARED_COLUMNS = (
    "hcpcs",
    "short_description_level2_only",
    "status_indicator",
    "payment_rate",
    "changed_vs_prior",
)
SHARED_NAME = r"opps_addendum_b_(\d{4})_(\d{2})\.csv"
OFFICIAL_NAME = r"([A-Za-z]+)_(\d{4})_Web_Addendum_B.*\.(?:xlsx|csv)"
# DATA_LAYOUTS.md 2.6, plus four indicators the April 2026 Addendum B uses that the list there
# lacks: Y (non-implantable DME, paid under the DMEPOS fee schedule) and H1, K1, S1 (newer
# indicators; their definitions are in that year's Addendum D1).
STATUS_INDICATORS = frozenset(
    [
        "A",
        "B",
        "C",
        "D",
        "E1",
        "E2",
        "F",
        "G",
        "H",
        "J1",
        "J2",
        "K",
        "L",
        "M",
        "N",
        "P",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "R",
        "S",
        "T",
        "U",
        "V",
        "Y",
        "H1",
        "K1",
        "S1",
    ]
)
# Official header cells (normalised by header_key) -> our names.
OFFICIAL_ALIASES = {
    "hcpcs_code": "hcpcs",
    "hcpcs": "hcpcs",
    "short_descriptor": "short_description",
    "short_description": "short_description",
    "si": "status_indicator",
    "status_indicator": "status_indicator",
    "apc": "apc",
    "relative_weight": "relative_weight",
    "payment_rate": "payment_rate",
    "national_unadjusted_copayment": "national_copayment",
    "minimum_unadjusted_copayment": "minimum_copayment",
}

UNKNOWN_SI = "unknown OPPS status indicator {value!r}"
NOT_HCPCS = "not a HCPCS/CPT code: {code!r}"
BAD_RATE = "bad payment rate {value!r}"
BAD_APC = "bad APC {value!r} (at most 5 characters)"
NO_HEADER = "no header row with HCPCS Code, SI and Payment Rate found"
NO_RELEASE = "cannot tell the Addendum B release (month, year) from the file name"
FIELDS = ("code", "status_indicator", "payment_rate", "apc", "attributes")


def describe(path: Path) -> ReleaseInfo:
    shared = re.search(SHARED_NAME, path.name, re.IGNORECASE)
    if shared and 1 <= int(shared.group(2)) <= 12:
        return quarter_release(int(shared.group(1)), int(shared.group(2)))
    official = re.search(OFFICIAL_NAME, path.name, re.IGNORECASE)
    month = month_number(official.group(1)) if official else None
    if official and month:
        return quarter_release(int(official.group(2)), month)
    raise DataFileError(path, NO_RELEASE)


def is_official_header(keys: list[str]) -> bool:
    return {"hcpcs_code", "payment_rate"} <= set(keys) and (
        "si" in keys or "status_indicator" in keys
    )


def iter_official_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The 508 CSV: title lines, then the header row, then one row per code."""
    with open_text(path, encoding=detect_encoding(path)) as fh:
        header: list[str] | None = None
        counter = LineCounter(fh)
        start = 1
        try:
            for record in csv.reader(counter):
                number, start = start, counter.lines + 1
                if header is None:
                    keys = [header_key(v) for v in record]
                    header = keys if is_official_header(keys) else None
                    continue
                if any(v.strip() for v in record):
                    yield number, dict(zip(header, (v.strip() for v in record), strict=False))
        except (csv.Error, EOFError, OSError, zlib.error) as exc:
            raise DataFileError(path, f"malformed CSV ({exc})", line=start) from exc
    if header is None:
        raise DataFileError(path, NO_HEADER, line=1)


def official_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    rows = (
        iter_xlsx_rows(path, is_header=is_official_header)
        if path.name.lower().endswith(".xlsx")
        else iter_official_csv(path)
    )
    for line, raw in rows:
        row = {OFFICIAL_ALIASES.get(k, k): v for k, v in raw.items()}
        yield line, row


def parse_rate(path: Path, line: int, value: str) -> Decimal | None:
    text = value.strip().replace("$", "").replace(",", "")
    if text in {"", "NA", "N/A", "-"}:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DataFileError(path, BAD_RATE.format(value=value), line=line) from None


def parse(path: Path) -> Iterator[tuple[object, ...]]:
    official = name_matches(path, OFFICIAL_NAME)
    rows: Iterator[tuple[int, dict[str, str]]] = (
        official_rows(path) if official else iter_csv_dicts(path, required=SHARED_COLUMNS)
    )
    guard = DuplicateGuard(path, "code")
    for line, row in rows:
        code = row.get("hcpcs", "").strip().upper()
        if not code and not any(row.values()):
            continue
        if not HCPCS_COLUMN_CODE.match(code):
            if official and not row.get("status_indicator", "").strip():
                continue  # a footnote row under the table
            raise DataFileError(path, NOT_HCPCS.format(code=code), line=line)
        guard.check(code, line)
        si = row.get("status_indicator", "").strip().upper()
        if si not in STATUS_INDICATORS:
            raise DataFileError(path, UNKNOWN_SI.format(value=si), line=line)
        short = row.get("short_description" if official else "short_description_level2_only", "")
        short = short.strip()
        if official and (CPT_CODE.match(code) or CDT_CODE.match(code)):
            short = ""  # AMA/ADA descriptor in the CMS file: dropped, never stored
        refuse_licensed_text(path, line, code, short)
        apc = row.get("apc", "").strip()
        if len(apc) > 5:
            raise DataFileError(path, BAD_APC.format(value=apc), line=line)
        attributes: dict[str, object] = {}
        if short:
            attributes["short_description"] = short
        if not official:
            attributes["changed_vs_prior"] = row["changed_vs_prior"].strip().lower() == "true"
        for column in ("relative_weight", "national_copayment", "minimum_copayment"):
            if row.get(column, "").strip():
                value = row[column].replace("$", "")
                attributes[column] = parse_float(path, line, value, column=column)
        yield (code, si, parse_rate(path, line, row.get("payment_rate", "")), apc, attributes)


def load(ctx: LoadContext) -> dict[str, int]:
    return {"opps_items": ctx.insert(OppsItem, FIELDS, parse(ctx.path))}


def matches(path: Path, header: list[str]) -> bool:
    if name_matches(path, OFFICIAL_NAME):
        if path.name.lower().endswith(".xlsx"):
            return xlsx_has_header(path, is_official_header)
        return _csv_has_header(path, is_official_header)
    return name_matches(path, SHARED_NAME) and all(c in header for c in SHARED_COLUMNS)


def _csv_has_header(path: Path, check: Callable[[list[str]], bool], scan: int = 30) -> bool:
    try:
        with open_text(path, encoding="latin-1") as fh:
            for number, record in enumerate(csv.reader(fh), start=1):
                if check([header_key(v) for v in record]):
                    return True
                if number >= scan:
                    break
    except (DataFileError, csv.Error, EOFError, OSError, zlib.error):
        return False
    return False


DATASETS = [
    Dataset(
        name="opps_addendum_b",
        title="OPPS Addendum B",
        code_system="",
        matches=matches,
        describe=describe,
        load=load,
        order=40,
    )
]

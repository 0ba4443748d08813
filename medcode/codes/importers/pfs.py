"""Medicare Physician Fee Schedule files (CMS "PFS Relative Value Files", rvu<YY><letter>.zip).

- National relative value file: the official `PPRRVU<YYYY>_<Mon>[_nonQPP|_QPP].csv` (title and
  copyright lines, a two-line column header, then data; see DATA_LAYOUTS.md 2.5) and the shared
  `pfs_rvu_2025d.csv.gz`. Rows go to FeeScheduleItem; every CPT-shaped code with no modifier
  also becomes a Code row (system CPT) WITHOUT any description, so CPT codes exist in the code
  store with their PFS status. Release "RVU25D" = CY2025 October (A Jan, B Apr, C Jul, D Oct).
- Descriptions: a real CMS PPRRVU file carries the AMA's CPT short descriptors (and ADA's CDT
  ones). From an official file the DESCRIPTION of a CPT- or CDT-shaped code is DROPPED on read
  and never stored; Level II descriptions are kept (attributes["description"]). The shared
  normalised CSV must have them blank already: there a CPT/CDT description is refused.
- QP files (`_QPP`, CY2026 on) are the separate dataset pfs_rvu_qpp (row_counts
  "fee_items_qpp"), so "fee_items" always means the non-QP schedule.
- GPCI<YYYY>.csv, <YY>LOCCO.csv, ANES<YYYY>.csv, OPPSCAP_<Mon>.csv and the DMEPOS fee schedule
  (DMEPOS<YY>_<MON>.csv) become ReferenceRow tables; each also has a shared normalised CSV.

The official relative value file is read by HEADER NAME: CMS prints a multi-line column header
(5 lines in 2026) above the data, and each column's name is its header cells read top to
bottom ("NON-FACILITY" / "PE USED" / "FOR OPPS" / "PAYMENT" / "AMOUNT"). Columns are found by
those names (RVU_HEADER_NAMES), so a column CMS adds (CY2026: `PRIC IND` after `TEAM SURG`,
every later column one place right) moves nothing; a required column that is missing is an
error naming the file and the header line. `PRIC IND` is kept as attributes["pricing_ind"].
The other official tables (GPCI, localities, anesthesia, OPPS cap, DMEPOS) are read by
position, in the column order of the shared files. Data starts at the first row whose first
field looks like a HCPCS code (or a MAC number for the locality tables).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
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
from medcode.codes.importers.hcpcs import detect_encoding, month_number, quarter_release
from medcode.codes.models import Code, CodeSystem, FeeScheduleItem, ReferenceRow
from medcode.lib.codeshapes import CDT_CODE, CPT_CODE, HCPCS_COLUMN
from medcode.lib.datafiles import iter_csv_dicts, open_text
from medcode.lib.errors import DataFileError

# A code, or a CMS placeholder for a code not yet numbered (RVU26C has a row for "GXXX1").
HCPCS_SHAPED = re.compile(rf"^(?:{HCPCS_COLUMN}|[A-Z]XXX\d)$")
MAC_SHAPED = re.compile(r"^\d{4,5}$")
LETTERS = {1: "A", 4: "B", 7: "C", 10: "D"}
STATUS_CODES = set("ABCDEFGHIJMNPRTX")
# Paid (or payable) under the PFS: active, contractor priced, anesthesia, restricted, T-status.
BILLABLE_STATUS = set("ACJRT")

RVU_COLUMNS = (
    "hcpcs",
    "modifier",
    "description",
    "status_code",
    "not_used_for_medicare_payment",
    "work_rvu",
    "nonfac_pe_rvu",
    "nonfac_na_indicator",
    "facility_pe_rvu",
    "facility_na_indicator",
    "mp_rvu",
    "nonfac_total_rvu",
    "facility_total_rvu",
    "pctc_ind",
    "global_days",
    "pre_op_pct",
    "intra_op_pct",
    "post_op_pct",
    "mult_proc_ind",
    "bilat_surg_ind",
    "asst_surg_ind",
    "co_surg_ind",
    "team_surg_ind",
    "endo_base",
    "conv_factor",
    "phys_supervision_diag_ind",
    "calculation_flag",
    "diag_imaging_family_ind",
    "nonfac_pe_used_for_opps",
    "facility_pe_used_for_opps",
    "mp_used_for_opps",
)
GPCI_COLUMNS = (
    "mac",
    "state",
    "locality",
    "locality_name",
    "pw_gpci_with_floor",
    "pe_gpci",
    "mp_gpci",
)
LOCCO_COLUMNS = ("mac", "locality", "state", "fee_schedule_area", "counties")
ANES_COLUMNS = ("mac", "locality", "locality_name", "anesthesia_cf")
CAP_COLUMNS = (
    "hcpcs",
    "modifier",
    "proc_status",
    "mac",
    "locality",
    "facility_price",
    "nonfacility_price",
)
DMEPOS_FIXED = ("hcpcs", "mod", "mod2", "juris", "catg", "ceiling", "floor")
DMEPOS_STATES = [
    "al",
    "ar",
    "az",
    "ca",
    "co",
    "ct",
    "dc",
    "de",
    "fl",
    "ga",
    "ia",
    "id",
    "il",
    "in",
    "ks",
    "ky",
    "la",
    "ma",
    "md",
    "me",
    "mi",
    "mn",
    "mo",
    "ms",
    "mt",
    "nc",
    "nd",
    "ne",
    "nh",
    "nj",
    "nm",
    "nv",
    "ny",
    "oh",
    "ok",
    "or",
    "pa",
    "ri",
    "sc",
    "sd",
    "tn",
    "tx",
    "ut",
    "va",
    "vt",
    "wa",
    "wi",
    "wv",
    "wy",
    "ak",
    "hi",
]
DMEPOS_COLUMNS = (
    *DMEPOS_FIXED,
    *(f"{s}_{kind}" for s in DMEPOS_STATES for kind in ("nr", "r")),
    "description",
)

NOT_HCPCS = "not a HCPCS/CPT code: {code!r}"
BAD_STATUS = "unknown PFS status code {value!r}"
TOO_LONG = "{column} {value!r} is longer than {size} characters"
TOO_FEW_FIELDS = "expected at least {width} fields, found {found}"
NO_DATA = "no data rows found (the first field of a data row is a code)"
UNEXPECTED_ROW = "unexpected row inside the table: {first!r}"
NO_YEAR = "cannot tell the release (year, quarter) from the file name or its folder"

Row = dict[str, str]


# Reading official CSVs with title lines -----------------------------------------------------


HeaderResolver = Callable[[Path, list[list[str]], int], Sequence[str | None]]


def iter_official_rows(
    path: Path,
    *,
    columns: Sequence[str],
    is_data: Callable[[str], bool],
    resolve: HeaderResolver | None = None,
) -> Iterator[tuple[int, Row]]:
    """Rows of a CMS CSV after its title/copyright/header lines, as dicts.

    Without `resolve`, fields are keyed by `columns` by position. With it, resolve(path, the
    rows above the data, the line of the last of them) names each position (None: a column
    medcode does not read). Data starts at the first row whose first field passes is_data;
    after that a row whose first field does not is a footnote when the rest of it is blank
    (skipped), else an error.
    """
    names: Sequence[str | None] = columns
    width = len(columns)
    preamble: list[list[str]] = []
    with open_text(path, encoding=detect_encoding(path)) as fh:
        counter = LineCounter(fh)
        reader = csv.reader(counter)
        started = False
        start = 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except (csv.Error, EOFError, OSError, zlib.error) as exc:
                raise DataFileError(path, f"malformed CSV ({exc})", line=start) from exc
            line, start = start, counter.lines + 1
            first = record[0].strip().upper() if record else ""
            if not started:
                started = is_data(first)
                if not started:
                    preamble.append(record)
                    continue
                if resolve is not None:
                    names = resolve(path, preamble, line - 1)
                    width = max(i for i, n in enumerate(names) if n) + 1
            if not is_data(first):
                if any(v.strip() for v in record[1:]):
                    raise DataFileError(path, UNEXPECTED_ROW.format(first=first), line=line)
                continue
            if len(record) < width:
                raise DataFileError(
                    path, TOO_FEW_FIELDS.format(width=width, found=len(record)), line=line
                )
            yield line, {n: v.strip() for n, v in zip(names, record, strict=False) if n}
    if not started:
        raise DataFileError(path, NO_DATA, line=1)


class LineCounter:
    """Counts the physical lines a csv.reader has consumed (records can span lines)."""

    def __init__(self, fh: Iterator[str]) -> None:
        self.lines = 0
        self._fh = fh

    def __iter__(self) -> LineCounter:
        return self

    def __next__(self) -> str:
        line = next(self._fh)
        self.lines += 1
        return line


def has_data_row(path: Path, *, width: int, is_data: Callable[[str], bool], scan: int = 40) -> bool:
    """Detection for official files: one of the first lines is a data row wide enough."""
    try:
        with open_text(path, encoding="latin-1") as fh:
            for number, record in enumerate(csv.reader(fh), start=1):
                if record and is_data(record[0].strip().upper()) and len(record) >= width:
                    return True
                if number >= scan:
                    break
    except (DataFileError, csv.Error, EOFError, OSError, zlib.error):
        return False
    return False


def is_hcpcs(value: str) -> bool:
    return bool(HCPCS_SHAPED.match(value))


def is_mac(value: str) -> bool:
    return bool(MAC_SHAPED.match(value))


def read_rows(
    path: Path,
    *,
    columns: Sequence[str],
    official: bool,
    is_data: Callable[[str], bool],
    resolve: HeaderResolver | None = None,
) -> Iterator[tuple[int, Row]]:
    if official:
        return iter_official_rows(path, columns=columns, is_data=is_data, resolve=resolve)
    return iter_csv_dicts(path, required=columns)


# The official relative value file's column names ------------------------------------------

# Each column's header cells, read top to bottom and joined by spaces, must END with its
# pattern (title lines above the header may put words in front). Optional: PRIC IND (2026 on).
RVU_HEADER_NAMES: dict[str, str] = {
    "hcpcs": r"HCPCS",
    "modifier": r"MOD",
    "description": r"DESCRIPTION",
    "status_code": r"STATUS CODE",
    "not_used_for_medicare_payment": r"NOT USED FOR MEDICARE PAYMENT",
    "work_rvu": r"(?:^| )WORK RVU",
    "nonfac_pe_rvu": r"NON-?FAC(?:ILITY)? PE RVU",
    "nonfac_na_indicator": r"NON-?FAC(?:ILITY)? NA INDICATOR",
    "facility_pe_rvu": r"(?:^| )FACILITY PE RVU",
    "facility_na_indicator": r"(?:^| )FACILITY NA INDICATOR",
    "mp_rvu": r"(?:^| )MP RVU",
    "nonfac_total_rvu": r"NON-?FAC(?:ILITY)? TOTAL",
    "facility_total_rvu": r"(?:^| )FACILITY TOTAL",
    "pctc_ind": r"PCTC IND",
    "global_days": r"GLOB DAYS",
    "pre_op_pct": r"PRE OP",
    "intra_op_pct": r"INTRA OP",
    "post_op_pct": r"POST OP",
    "mult_proc_ind": r"MULT PROC",
    "bilat_surg_ind": r"BILAT SURG",
    "asst_surg_ind": r"ASST SURG",
    "co_surg_ind": r"CO-? SURG",
    "team_surg_ind": r"TEAM SURG",
    "pricing_ind": r"PRIC IND",
    "endo_base": r"ENDO BASE",
    "conv_factor": r"CONV FACTOR",
    "phys_supervision_diag_ind": r"PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES",
    "calculation_flag": r"CALCULATION FLAG",
    "diag_imaging_family_ind": r"DIAGNOSTIC IMAGING FAMILY INDICATOR",
    "nonfac_pe_used_for_opps": r"NON-?FAC(?:ILITY)? PE USED FOR OPPS PAYMENT AMOUNT",
    "facility_pe_used_for_opps": r"(?:^| )FACILITY PE USED FOR OPPS PAYMENT AMOUNT",
    "mp_used_for_opps": r"(?:^| )MP USED FOR OPPS PAYMENT AMOUNT",
}
RVU_OPTIONAL = frozenset({"pricing_ind"})
MISSING_HEADER = (
    "the column header above the data lacks {missing} (columns found: {found}); "
    "expected CMS's PPRRVU column names"
)
REPEATED_HEADER = "two columns of the header are named like {name}: {first!r} and {second!r}"


def header_labels(rows: Sequence[Sequence[str]]) -> list[str]:
    """Each column's header cells top to bottom, upper-cased and joined by single spaces."""
    width = max((len(r) for r in rows), default=0)
    labels = []
    for i in range(width):
        cells = (r[i] for r in rows if i < len(r))
        labels.append(" ".join(" ".join(c.split()).upper() for c in cells if c.strip()))
    return labels


def resolve_rvu_header(path: Path, rows: list[list[str]], line: int) -> list[str | None]:
    """The RVU column name of each position of the official file, found by header name."""
    labels = header_labels(rows)
    names: list[str | None] = [None] * len(labels)
    for name, pattern in RVU_HEADER_NAMES.items():
        found = [i for i, label in enumerate(labels) if re.search(f"(?:{pattern})$", label)]
        if len(found) > 1:
            first, second = labels[found[0]], labels[found[1]]
            message = REPEATED_HEADER.format(name=name, first=first, second=second)
            raise DataFileError(path, message, line=line)
        if found:
            names[found[0]] = name
    missing = [n for n in RVU_HEADER_NAMES if n not in names and n not in RVU_OPTIONAL]
    if missing:
        shown = ", ".join(repr(label) for label in labels if label) or "none"
        message = MISSING_HEADER.format(missing=", ".join(missing), found=shown)
        raise DataFileError(path, message, line=max(line, 1))
    return names


# Release labels -----------------------------------------------------------------------------


def rvu_release(year: int, letter: str) -> ReleaseInfo:
    month = {v: k for k, v in LETTERS.items()}.get(letter.upper())
    if month is None:
        raise ValueError(letter)
    info = quarter_release(year, month)
    return ReleaseInfo(
        f"RVU{year % 100:02d}{letter.upper()}", info.effective_from, info.effective_to
    )


def _four_digit(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def describe_quarterly(path: Path) -> ReleaseInfo:
    """RVU<YY><letter> from pfs_*_2025d, PPRRVU2025_Oct, OPPSCAP_Oct (year from the folder)."""
    places = [path.name, path.parent.name]
    for text in places:
        shared = re.search(r"_(\d{4})([a-d])\.csv", text, re.IGNORECASE)
        if shared:
            return rvu_release(int(shared.group(1)), shared.group(2))
        folder = re.fullmatch(r"rvu(\d{2})([a-d])(?:_\w+)?", text, re.IGNORECASE)
        if folder:
            return rvu_release(_four_digit(folder.group(1)), folder.group(2))
    official = re.search(r"(?:PPRRVU|OPPSCAP_?)(\d{2}|\d{4})?_?([A-Za-z]{3})", path.name, re.I)
    month = month_number(official.group(2)) if official else None
    if official and month in LETTERS:
        year = official.group(1)
        if year:
            return rvu_release(_four_digit(year), LETTERS[month])
        folder = re.search(r"rvu(\d{2})", path.parent.name, re.IGNORECASE)
        if folder:
            return rvu_release(_four_digit(folder.group(1)), LETTERS[month])
    raise DataFileError(path, NO_YEAR)


def describe_annual(path: Path) -> ReleaseInfo:
    """GPCI2025, 25LOCCO, ANES2025, pfs_gpci_2025: calendar year CY<YYYY>."""
    found = re.search(r"(\d{4})", path.name) or re.match(r"(\d{2})LOCCO", path.name, re.I)
    if not found:
        raise DataFileError(path, NO_YEAR)
    year = _four_digit(found.group(1))
    return ReleaseInfo(f"CY{year}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def describe_dmepos(path: Path) -> ReleaseInfo:
    found = re.search(r"_(\d{4})_(\d{2})\.csv", path.name) or re.search(
        r"DMEPOS(\d{2})_([A-Za-z]{3})", path.name, re.IGNORECASE
    )
    month = month_number(found.group(2)) if found else None
    if not found or month is None:
        raise DataFileError(path, NO_YEAR)
    return quarter_release(_four_digit(found.group(1)), month)


# The relative value file --------------------------------------------------------------------

FEE_FIELDS = (
    "code",
    "modifier",
    "status_code",
    "work_rvu",
    "nonfac_pe_rvu",
    "nonfac_na",
    "facility_pe_rvu",
    "facility_na",
    "mp_rvu",
    "nonfac_total",
    "facility_total",
    "pctc_ind",
    "global_days",
    "pre_op",
    "intra_op",
    "post_op",
    "mult_proc_ind",
    "bilat_surg_ind",
    "asst_surg_ind",
    "co_surg_ind",
    "team_surg_ind",
    "endo_base",
    "conv_factor",
    "phys_supervision",
    "calc_flag",
    "diag_imaging_family",
    "attributes",
)
CODE_FIELDS = ("system", "code", "display", "is_billable", "level", "attributes")
SIZES = {
    "modifier": 2,
    "pctc_ind": 1,
    "global_days": 3,
    "mult_proc_ind": 1,
    "bilat_surg_ind": 1,
    "asst_surg_ind": 1,
    "co_surg_ind": 1,
    "team_surg_ind": 1,
    "endo_base": 5,
    "phys_supervision_diag_ind": 2,
    "calculation_flag": 2,
    "diag_imaging_family_ind": 2,
}


PRICING_IND_SIZE = 2


def cpt_level(code: str) -> str:
    """CPT category by shape: 99213 Category I, 0001F II, 0042T III, 0001U PLA, 0002M MAAA."""
    return {"F": "category_ii", "T": "category_iii", "U": "pla", "M": "maaa"}.get(
        code[-1], "category_i"
    )


def is_official_rvu(path: Path) -> bool:
    return name_matches(path, r"PPRRVU\d{2,4}_[A-Za-z]{3}(?:_(?:non)?QPP)?\.csv")


def parse_rvu(path: Path) -> Iterator[tuple[tuple[object, ...], tuple[object, ...] | None]]:
    """(fee item, CPT code row or None) per line of the relative value file."""
    official = is_official_rvu(path)
    guard = DuplicateGuard(path, "code and modifier")
    rows = read_rows(
        path,
        columns=RVU_COLUMNS,
        official=official,
        is_data=is_hcpcs,
        resolve=resolve_rvu_header,
    )
    for line, row in rows:
        code = row["hcpcs"].strip().upper()
        modifier = row["modifier"].strip().upper()
        if not is_hcpcs(code):
            raise DataFileError(path, NOT_HCPCS.format(code=code), line=line)
        guard.check((code, modifier), line)
        status = row["status_code"].strip().upper()
        if status not in STATUS_CODES:
            raise DataFileError(path, BAD_STATUS.format(value=status), line=line)
        for column, size in SIZES.items():
            if len(row[column].strip()) > size:
                value = row[column].strip()
                raise DataFileError(
                    path, TOO_LONG.format(column=column, value=value, size=size), line=line
                )
        licensed = bool(CPT_CODE.match(code) or CDT_CODE.match(code))
        description = row["description"].strip()
        if official and licensed:
            description = ""  # AMA/ADA text in a real CMS file: dropped, never stored
        refuse_licensed_text(path, line, code, description)

        def num(column: str, row: Row = row, line: int = line) -> float | None:
            return parse_float(path, line, row[column], column=column)

        extra: dict[str, object] = {
            "not_used_for_medicare_payment": row["not_used_for_medicare_payment"].strip() == "+",
            "nonfac_pe_used_for_opps": num("nonfac_pe_used_for_opps"),
            "facility_pe_used_for_opps": num("facility_pe_used_for_opps"),
            "mp_used_for_opps": num("mp_used_for_opps"),
        }
        if description:
            extra["description"] = description
        pricing_ind = row.get("pricing_ind", "").strip()
        if len(pricing_ind) > PRICING_IND_SIZE:
            message = TOO_LONG.format(
                column="pricing_ind", value=pricing_ind, size=PRICING_IND_SIZE
            )
            raise DataFileError(path, message, line=line)
        if pricing_ind:
            extra["pricing_ind"] = pricing_ind
        fee = (
            code,
            modifier,
            status,
            num("work_rvu"),
            num("nonfac_pe_rvu"),
            row["nonfac_na_indicator"].strip().upper() == "NA",
            num("facility_pe_rvu"),
            row["facility_na_indicator"].strip().upper() == "NA",
            num("mp_rvu"),
            num("nonfac_total_rvu"),
            num("facility_total_rvu"),
            row["pctc_ind"].strip(),
            row["global_days"].strip().upper(),
            num("pre_op_pct"),
            num("intra_op_pct"),
            num("post_op_pct"),
            row["mult_proc_ind"].strip(),
            row["bilat_surg_ind"].strip(),
            row["asst_surg_ind"].strip(),
            row["co_surg_ind"].strip(),
            row["team_surg_ind"].strip(),
            row["endo_base"].strip(),
            num("conv_factor"),
            row["phys_supervision_diag_ind"].strip(),
            row["calculation_flag"].strip(),
            row["diag_imaging_family_ind"].strip(),
            {k: v for k, v in extra.items() if v is not None and v is not False},
        )
        code_row = None
        if CPT_CODE.match(code) and not modifier:
            status_info = {"pfs_status": status, "global_days": row["global_days"].strip().upper()}
            code_row = (
                CodeSystem.CPT,
                code,
                code,
                status in BILLABLE_STATUS,
                cpt_level(code),
                status_info,
            )
        yield fee, code_row


def load_rvu(ctx: LoadContext) -> dict[str, int]:
    codes: list[tuple[object, ...]] = []

    def fees() -> Iterator[tuple[object, ...]]:
        for fee, code in parse_rvu(ctx.path):
            if code is not None:
                codes.append(code)
            yield fee

    n = ctx.insert(FeeScheduleItem, FEE_FIELDS, fees())
    return {"fee_items": n, "codes": ctx.insert(Code, CODE_FIELDS, codes)}


def load_rvu_qpp(ctx: LoadContext) -> dict[str, int]:
    fees = (fee for fee, _ in parse_rvu(ctx.path))
    return {"fee_items_qpp": ctx.insert(FeeScheduleItem, FEE_FIELDS, fees)}


# Reference tables ---------------------------------------------------------------------------


def _numbers(path: Path, line: int, row: Row, columns: Sequence[str]) -> dict[str, float | None]:
    return {c: parse_float(path, line, row[c], column=c) for c in columns}


def parse_gpci(path: Path, official: bool) -> Iterator[tuple[str, dict[str, object]]]:
    guard = DuplicateGuard(path, "MAC and locality")
    for line, row in read_rows(path, columns=GPCI_COLUMNS, official=official, is_data=is_mac):
        mac, locality = row["mac"].strip().zfill(5), row["locality"].strip().zfill(2)
        guard.check((mac, locality), line)
        data: dict[str, object] = {
            "mac": mac,
            "state": row["state"].strip(),
            "locality": locality,
            "locality_name": row["locality_name"].strip(),
        }
        data.update(_numbers(path, line, row, ("pw_gpci_with_floor", "pe_gpci", "mp_gpci")))
        yield "gpci", data


def parse_localities(path: Path, official: bool) -> Iterator[tuple[str, dict[str, object]]]:
    guard = DuplicateGuard(path, "MAC and locality")
    seen: dict[tuple[str, str], dict[str, object]] = {}
    state = ""
    for line, row in read_rows(path, columns=LOCCO_COLUMNS, official=official, is_data=is_mac):
        mac, locality = row["mac"].strip().zfill(5), row["locality"].strip().zfill(2)
        # CMS prints the state once, on the first locality of each state.
        state = row["state"].strip() or state
        data: dict[str, object] = {
            "mac": mac,
            "locality": locality,
            "state": state,
            "fee_schedule_area": row["fee_schedule_area"].strip(),
            "counties": row["counties"].strip(),
        }
        # 25LOCCO repeats one line word for word (05302/99); a repeat that differs is an error.
        if seen.get((mac, locality)) == data:
            continue
        guard.check((mac, locality), line)
        seen[(mac, locality)] = data
        yield "localities", data


def parse_anesthesia(path: Path, official: bool) -> Iterator[tuple[str, dict[str, object]]]:
    guard = DuplicateGuard(path, "MAC and locality")
    for line, row in read_rows(path, columns=ANES_COLUMNS, official=official, is_data=is_mac):
        mac, locality = row["mac"].strip().zfill(5), row["locality"].strip().zfill(2)
        guard.check((mac, locality), line)
        data: dict[str, object] = {
            "mac": mac,
            "locality": locality,
            "locality_name": row["locality_name"].strip(),
        }
        data.update(_numbers(path, line, row, ("anesthesia_cf",)))
        yield "anesthesia_cf", data


def parse_opps_cap(path: Path, official: bool) -> Iterator[tuple[str, dict[str, object]]]:
    guard = DuplicateGuard(path, "code, modifier, MAC and locality")
    for line, row in read_rows(path, columns=CAP_COLUMNS, official=official, is_data=is_hcpcs):
        code = row["hcpcs"].strip().upper()
        if not is_hcpcs(code):
            raise DataFileError(path, NOT_HCPCS.format(code=code), line=line)
        mac, locality = row["mac"].strip().zfill(5), row["locality"].strip().zfill(2)
        modifier = row["modifier"].strip().upper()
        guard.check((code, modifier, mac, locality), line)
        data: dict[str, object] = {
            "hcpcs": code,
            "modifier": modifier,
            "proc_status": row["proc_status"].strip(),
            "mac": mac,
            "locality": locality,
        }
        data.update(_numbers(path, line, row, ("facility_price", "nonfacility_price")))
        yield "opps_cap", data


def parse_dmepos(path: Path, official: bool) -> Iterator[tuple[str, dict[str, object]]]:
    guard = DuplicateGuard(path, "code, modifiers and jurisdiction")
    fee_columns = DMEPOS_COLUMNS[len(DMEPOS_FIXED) : -1]
    rows = read_rows(path, columns=DMEPOS_COLUMNS, official=official, is_data=is_hcpcs)
    for line, row in rows:
        code = row["hcpcs"].strip().upper()
        if not is_hcpcs(code):
            raise DataFileError(path, NOT_HCPCS.format(code=code), line=line)
        mods = (row["mod"].strip().upper(), row["mod2"].strip().upper())
        guard.check((code, *mods, row["juris"].strip()), line)
        description = row["description"].strip()
        refuse_licensed_text(path, line, code, description)
        data: dict[str, object] = {
            "hcpcs": code,
            "mod": mods[0],
            "mod2": mods[1],
            "juris": row["juris"].strip(),
            "catg": row["catg"].strip(),
            "description": description,
        }
        data.update(_numbers(path, line, row, ("ceiling", "floor")))
        data["fees"] = _numbers(path, line, row, fee_columns)
        yield "dmepos_fees", data


ReferenceParser = Callable[[Path, bool], Iterator[tuple[str, dict[str, object]]]]


def reference_dataset(
    *,
    name: str,
    title: str,
    key: str,
    shared_name: str,
    official_name: str,
    columns: Sequence[str],
    is_data: Callable[[str], bool],
    parse: ReferenceParser,
    describe: Callable[[Path], ReleaseInfo],
) -> Dataset:
    def matches(path: Path, header: list[str]) -> bool:
        if name_matches(path, official_name):
            return has_data_row(path, width=len(columns), is_data=is_data)
        return name_matches(path, shared_name) and all(c in header for c in columns)

    def load(ctx: LoadContext) -> dict[str, int]:
        official = name_matches(ctx.path, official_name)
        return {key: ctx.insert(ReferenceRow, ("key", "data"), parse(ctx.path, official))}

    return Dataset(name, title, "", matches, describe, load, order=40)


def matches_rvu(path: Path, header: list[str]) -> bool:
    if is_official_rvu(path):
        return not name_matches(path, r".*_QPP\.csv") and _official_rvu_shape(path)
    return name_matches(path, r"pfs_rvu_\d{4}[a-d]\.csv") and all(c in header for c in RVU_COLUMNS)


def matches_rvu_qpp(path: Path, header: list[str]) -> bool:
    return name_matches(path, r"PPRRVU\d{2,4}_[A-Za-z]{3}_QPP\.csv") and _official_rvu_shape(path)


def _official_rvu_shape(path: Path) -> bool:
    return has_data_row(path, width=len(RVU_COLUMNS), is_data=is_hcpcs)


DATASETS = [
    Dataset(
        name="pfs_rvu",
        title="Medicare PFS relative values",
        code_system=CodeSystem.CPT,
        matches=matches_rvu,
        describe=describe_quarterly,
        load=load_rvu,
        order=30,
    ),
    Dataset(
        name="pfs_rvu_qpp",
        title="Medicare PFS relative values (qualifying APM participants)",
        code_system=CodeSystem.CPT,
        matches=matches_rvu_qpp,
        describe=describe_quarterly,
        load=load_rvu_qpp,
        order=40,
    ),
    reference_dataset(
        name="pfs_gpci",
        title="Medicare PFS GPCIs",
        key="gpci",
        shared_name=r"pfs_gpci_\d{4}\.csv",
        official_name=r"GPCI\d{4}\.csv",
        columns=GPCI_COLUMNS,
        is_data=is_mac,
        parse=parse_gpci,
        describe=describe_annual,
    ),
    reference_dataset(
        name="pfs_localities",
        title="Medicare PFS localities and counties",
        key="localities",
        shared_name=r"pfs_locality_counties_\d{4}\.csv",
        official_name=r"\d{2}LOCCO\.csv",
        columns=LOCCO_COLUMNS,
        is_data=is_mac,
        parse=parse_localities,
        describe=describe_annual,
    ),
    reference_dataset(
        name="pfs_anesthesia_cf",
        title="Medicare anesthesia conversion factors",
        key="anesthesia_cf",
        shared_name=r"pfs_anesthesia_cf_\d{4}\.csv",
        official_name=r"ANES\d{4}\.csv",
        columns=ANES_COLUMNS,
        is_data=is_mac,
        parse=parse_anesthesia,
        describe=describe_annual,
    ),
    reference_dataset(
        name="pfs_opps_cap",
        title="Medicare PFS OPPS imaging cap",
        key="opps_cap",
        shared_name=r"pfs_opps_cap_\d{4}[a-d]\.csv",
        official_name=r"OPPSCAP_?(?:\d{2}|\d{4})?_?[A-Za-z]{3}\.csv",
        columns=CAP_COLUMNS,
        is_data=is_hcpcs,
        parse=parse_opps_cap,
        describe=describe_quarterly,
    ),
    reference_dataset(
        name="dmepos",
        title="DMEPOS fee schedule",
        key="dmepos_fees",
        shared_name=r"dmepos_fee_schedule_\d{4}_\d{2}\.csv",
        official_name=r"DMEPOS\d{2}_[A-Za-z]{3}\.csv",
        columns=DMEPOS_COLUMNS,
        is_data=is_hcpcs,
        parse=parse_dmepos,
        describe=describe_dmepos,
    ),
]

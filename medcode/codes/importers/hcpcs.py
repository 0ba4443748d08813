"""HCPCS Level II codes and modifiers: the CMS Alpha-Numeric (ANWEB) file and its CSV copies.

Sources (DATA_LAYOUTS.md 2.1):
- the official fixed-width TXT `HCPC<YYYY>_<MON>_ANWEB_<mmddyyyy>.txt` (layout below),
- the official xlsx (one row per code, header row of CMS column names),
- the shared CSVs `hcpcs_level2_2020_anweb.csv.gz` (ANWEB columns), `hcpcs_level2_2024_04`
  (multi-valued fields joined in one cell), `hcpcs_level2_2024_07` (another column set) and the
  modifier CSVs `hcpcs_modifiers_<YYYY>[_MM]`,
- the third-party scrape `hcpcs_level2_long_desc_2025_scraped.csv.gz`, kept apart as reference
  rows because it has no dates or flags.

Design: one release per file. The ANWEB dataset's release has code_system HCPCS and holds the
procedure codes (system HCPCS) and, for the TXT/xlsx, the modifiers (system MODIFIER) of the
same record. The modifier CSVs are their own dataset with code_system MODIFIER. Every release
that holds modifiers says so in row_counts["modifiers"] (a subset of "codes"), so
`release_in_force(table="modifiers", on=...)` finds modifiers whichever file brought them.

Level II descriptions are public domain; every description still goes through
refuse_licensed_text, so a CPT-shaped code carrying text is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable, Iterator
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
from medcode.codes.models import Code, CodeSystem, ReferenceRow
from medcode.lib.codeshapes import HCPCS_LEVEL2_CODE, MODIFIER_CODE
from medcode.lib.datafiles import iter_csv_dicts, iter_lines, open_text
from medcode.lib.errors import DataFileError
from medcode.lib.xlsx import Workbook

MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# CMS "HCPC<YYYY>_recordlayout.txt" (the 2026 edition, as of 2025-11-12): field, first column,
# last column (1-based, inclusive) of the 320-character record; dates are YYYYMMDD. A modifier
# record (RECID 7/8) has its 2-character code in columns 4-5 after 3 blanks (the code field
# 1-5 is read whole and stripped). The record layout calls 241-252 the "MOG" payment group,
# policy indicator and date; the xlsx names those columns OPPS, OPPS_PI and OPPS_DT.
ANWEB_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("hcpc", 1, 5),
    ("seqnum", 6, 10),
    ("recid", 11, 11),
    ("long_description", 12, 91),
    ("short_description", 92, 119),
    *((f"price{i}", 120 + 2 * (i - 1), 121 + 2 * (i - 1)) for i in range(1, 5)),
    ("mult_pi", 128, 128),
    *((f"cim{i}", 129 + 6 * (i - 1), 134 + 6 * (i - 1)) for i in range(1, 4)),
    *((f"mcm{i}", 147 + 8 * (i - 1), 154 + 8 * (i - 1)) for i in range(1, 4)),
    ("statute", 171, 180),
    *((f"labcert{i}", 181 + 3 * (i - 1), 183 + 3 * (i - 1)) for i in range(1, 9)),
    *((f"xref{i}", 205 + 5 * (i - 1), 209 + 5 * (i - 1)) for i in range(1, 6)),
    ("cov", 230, 230),
    ("asc_grp", 231, 232),
    ("asc_dt", 233, 240),
    ("opps", 241, 243),
    ("opps_pi", 244, 244),
    ("opps_dt", 245, 252),
    ("procnote", 253, 256),
    ("betos", 257, 259),
    # 260 is filler.
    *((f"tos{i}", 260 + i, 260 + i) for i in range(1, 6)),
    ("anest_bu", 266, 268),
    ("add_dt", 269, 276),
    ("act_eff_dt", 277, 284),
    ("term_dt", 285, 292),
    ("action_cd", 293, 293),
)
ANWEB_FIELDS = tuple(name for name, _, _ in ANWEB_LAYOUT)
ANWEB_REQUIRED = ("hcpc", "recid", "long_description", "short_description", "price1", "cov")
# hcpcs_level2_2024_04 / hcpcs_modifiers_2024_04: multi-valued fields joined in one cell.
JOINED_REQUIRED = (
    "hcpc",
    "recid",
    "long_description",
    "short_description",
    "pricing_indicator",
    "tos",
    "date_added",
    "action",
)
# hcpcs_level2_2024_07.
JULY_REQUIRED = (
    "hcpcs_code",
    "long_description",
    "short_description_2024_04",
    "pricing_indicator",
    "date_added",
    "action_date",
)
SCRAPED_COLUMNS = ("hcpcs", "long_description", "group_letter")

PROCEDURE_RECIDS = {"3": "first", "4": "continued"}
MODIFIER_RECIDS = {"7": "first", "8": "continued"}

NOT_LEVEL2 = "not a HCPCS Level II code: {code!r}"
NOT_MODIFIER = "not a HCPCS modifier: {code!r}"
BAD_RECID = "unknown RECID {recid!r} (expected 3, 4, 7 or 8)"
ORPHAN_CONTINUATION = "continuation record for {code} does not follow the first record of {code}"
MODIFIERS_ONLY = "a modifier file holds only modifier records (RECID 7/8), not RECID {recid!r}"
NO_RELEASE_IN_NAME = "cannot tell the HCPCS release (year, month) from the file name"
SPLIT = re.compile(r"\s*[:,]\s*")


# Release dates -----------------------------------------------------------------------------


def quarter_release(year: int, month: int, label: str | None = None) -> ReleaseInfo:
    """A quarterly release: from the 1st of its month to the day before the next quarter."""
    next_start = next((m for m in (4, 7, 10) if m > month), None)
    end = dt.date(year, next_start, 1) if next_start else dt.date(year + 1, 1, 1)
    return ReleaseInfo(
        version_label=label or f"{year} {MONTH_NAMES[month - 1]}",
        effective_from=dt.date(year, month, 1),
        effective_to=end - dt.timedelta(days=1),
    )


def month_number(text: str) -> int | None:
    """'OCT', 'October', '10' -> 10."""
    text = text.strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text[:3])


def describe_hcpcs(path: Path) -> ReleaseInfo:
    name = path.name
    found = re.search(r"HCPC(\d{4})(?:_([A-Za-z]{3}))?_ANWEB", name, re.IGNORECASE) or re.search(
        r"_(\d{4})(?:_(\d{2}))?(?:_anweb)?\.csv", name, re.IGNORECASE
    )
    month = month_number(found.group(2)) if found and found.group(2) else 1
    if not found or month is None:
        raise DataFileError(path, NO_RELEASE_IN_NAME)
    return quarter_release(int(found.group(1)), month)


def describe_scraped(path: Path) -> ReleaseInfo:
    found = re.search(r"(\d{4})", path.name)
    if not found:
        raise DataFileError(path, NO_RELEASE_IN_NAME)
    year = int(found.group(1))
    # No release date in the scrape (MANIFEST: circa Nov 2025): the label says how loose it is.
    return ReleaseInfo(f"{year} (scraped, unofficial)", dt.date(year, 1, 1))


# Readers: each yields (line, fields) with ANWEB field names -------------------------------


def cell_text(value: Any) -> str:
    """An xlsx cell as the text the TXT file would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_key(value: Any) -> str:
    """'LONG DESCRIPTION' -> 'long_description', 'Payment Rate' -> 'payment_rate'."""
    return re.sub(r"[^a-z0-9]+", "_", cell_text(value).lower()).strip("_")


def iter_xlsx_rows(
    path: Path, *, is_header: Callable[[list[str]], bool], max_scan: int = 30
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows (with row numbers) of the first sheet having a header row that is_header accepts.

    Header cells are normalised by header_key. Read with lib/xlsx (the standard library):
    openpyxl's cell objects made the 9,000-code HCPCS workbook take 3.6 s of CPU.
    """
    with Workbook(path, dates=True) as book:
        for sheet in book.sheets:
            header: list[str] | None = None
            for number, values in book.rows(sheet):
                if header is None:
                    keys = [header_key(v) for v in values]
                    if is_header(keys):
                        header = keys
                    elif number >= max_scan:
                        break
                    continue
                texts = [cell_text(v) for v in values]
                if not any(texts):
                    continue
                texts.extend([""] * (len(header) - len(texts)))
                yield number, dict(zip(header, texts, strict=False))
            if header is not None:
                return
    raise DataFileError(path, "no sheet has the expected header row", line=1)


def xlsx_has_header(path: Path, is_header: Callable[[list[str]], bool]) -> bool:
    try:
        next(iter_xlsx_rows(path, is_header=is_header), None)
    except DataFileError:
        return False
    return True


def is_anweb_header(keys: list[str]) -> bool:
    return ("hcpc" in keys or "hcpcs" in keys) and "long_description" in keys and "recid" in keys


def iter_anweb_xlsx(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    for line, row in iter_xlsx_rows(path, is_header=is_anweb_header):
        if "hcpc" not in row:
            row["hcpc"] = row.get("hcpcs", "")
        yield line, row


def detect_encoding(path: Path) -> str:
    """CMS text files are usually ASCII; take UTF-8 when valid, else Windows-1252."""
    try:
        with open_text(path, encoding="latin-1") as fh:
            raw = fh.read().encode("latin-1")
    except (EOFError, OSError, zlib.error) as exc:
        raise DataFileError(path, f"the gzip data is truncated or corrupt ({exc})") from exc
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def iter_anweb_txt(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    for line, text in iter_lines(path, encoding=detect_encoding(path)):
        if not text.strip():
            continue
        if len(text) < 11:
            raise DataFileError(path, f"record too short ({len(text)} characters)", line=line)
        yield line, {name: text[start - 1 : end].strip() for name, start, end in ANWEB_LAYOUT}


def iter_joined_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """hcpcs_level2_2024_04 / hcpcs_modifiers_2024_04 into ANWEB names (lists kept as lists)."""
    for line, row in iter_csv_dicts(path, required=JOINED_REQUIRED):
        yield line, _from_joined(row, code=row["hcpc"], recid=row["recid"])


def iter_july_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """hcpcs_level2_2024_07: no RECID (every row is a procedure code's only record)."""
    for line, row in iter_csv_dicts(path, required=JULY_REQUIRED):
        fields = _from_joined(row, code=row["hcpcs_code"], recid="3")
        fields["short_description"] = row["short_description_2024_04"]
        fields["asc_grp"] = row.get("asc_grp", "")
        fields["asc_dt"] = row.get("date_asc", "")
        yield line, fields


def _from_joined(row: dict[str, str], *, code: str, recid: str) -> dict[str, Any]:
    def many(column: str) -> list[str]:
        return [v for v in SPLIT.split(row.get(column, "").strip()) if v]

    return {
        "hcpc": code,
        "recid": recid,
        "long_description": row["long_description"],
        "short_description": row.get("short_description", ""),
        "prices": many("pricing_indicator"),
        "mult_pi": row.get("mult_pi", ""),
        "cims": many("cim"),
        "mcms": many("mcm"),
        "statute": row.get("statute", ""),
        "labcerts": many("labcert"),
        "xrefs": many("xref"),
        "cov": row.get("cov", ""),
        "asc_grp": row.get("asc_group", ""),
        "asc_dt": row.get("asc_date", ""),
        "procnote": row.get("procnote", ""),
        "procnote_text": row.get("procnote_description", ""),
        "betos": row.get("betos", ""),
        "toss": many("tos"),
        "anest_bu": row.get("anest_bu", ""),
        "add_dt": row.get("date_added", ""),
        "act_eff_dt": row.get("action_date", ""),
        "term_dt": row.get("date_term", ""),
        "action_cd": row.get("action", ""),
    }


def iter_anweb_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    return iter_csv_dicts(path, required=ANWEB_REQUIRED)


def records_of(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's records in ANWEB field names, whichever of the five layouts it is in."""
    suffix = path.name.lower().removesuffix(".gz")
    if suffix.endswith(".txt"):
        return iter_anweb_txt(path)
    if suffix.endswith(".xlsx"):
        return iter_anweb_xlsx(path)
    from medcode.lib.datafiles import read_header

    header = read_header(path)
    if "hcpcs_code" in header:
        return iter_july_csv(path)
    if "pricing_indicator" in header:
        return iter_joined_csv(path)
    return iter_anweb_csv(path)


# Parser -------------------------------------------------------------------------------------

CODE_FIELDS = (
    "system",
    "code",
    "display",
    "short_description",
    "long_description",
    "is_billable",
    "level",
    "chapter",
    "added_on",
    "action_on",
    "terminated_on",
    "action_code",
    "attributes",
)


def assemble(
    path: Path, records: Iterator[tuple[int, dict[str, Any]]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Join continuation records (RECID 4/8) onto their code's long description."""
    current: tuple[int, dict[str, Any]] | None = None
    for line, fields in records:
        code = str(fields.get("hcpc", "")).strip().upper()
        recid = str(fields.get("recid", "")).strip()
        fields["hcpc"] = code
        kind = PROCEDURE_RECIDS.get(recid) or MODIFIER_RECIDS.get(recid)
        if kind is None:
            raise DataFileError(path, BAD_RECID.format(recid=recid), line=line)
        if kind == "continued":
            first = current[1] if current else None
            same_kind = first is not None and (
                (recid == "4") == (first["recid"] in PROCEDURE_RECIDS)
            )
            if first is None or first["hcpc"] != code or not same_kind:
                raise DataFileError(path, ORPHAN_CONTINUATION.format(code=code), line=line)
            more = str(fields.get("long_description", "")).strip()
            if more:
                first["long_description"] = f"{first['long_description'].strip()} {more}"
            continue
        if current:
            yield current
        current = (line, fields)
    if current:
        yield current


def parse_codes(
    path: Path, effective_from: dt.date, *, modifiers_only: bool = False
) -> Iterator[tuple[object, ...]]:
    """Code rows (CODE_FIELDS order) from any of the ANWEB layouts."""
    guard = DuplicateGuard(path, "code")
    for line, f in assemble(path, records_of(path)):
        code = f["hcpc"]
        is_modifier = f["recid"] in MODIFIER_RECIDS
        if modifiers_only and not is_modifier:
            raise DataFileError(path, MODIFIERS_ONLY.format(recid=f["recid"]), line=line)
        long = str(f.get("long_description", "")).strip()
        short = str(f.get("short_description", "")).strip()
        refuse_licensed_text(path, line, code, long)
        refuse_licensed_text(path, line, code, short)
        if is_modifier and not MODIFIER_CODE.match(code):
            raise DataFileError(path, NOT_MODIFIER.format(code=code), line=line)
        if not is_modifier and not HCPCS_LEVEL2_CODE.match(code):
            raise DataFileError(path, NOT_LEVEL2.format(code=code), line=line)
        guard.check(code, line)
        terminated = parse_date(path, line, str(f.get("term_dt", "")), column="term_dt")
        yield (
            CodeSystem.MODIFIER if is_modifier else CodeSystem.HCPCS,
            code,
            code,
            short,
            long,
            terminated is None or terminated >= effective_from,
            "modifier" if is_modifier else "",
            "" if is_modifier else code[0],
            parse_date(path, line, str(f.get("add_dt", "")), column="add_dt"),
            parse_date(path, line, str(f.get("act_eff_dt", "")), column="act_eff_dt"),
            terminated,
            str(f.get("action_cd", "")).strip(),
            attributes(path, line, f),
        )


def attributes(path: Path, line: int, f: dict[str, Any]) -> dict[str, object]:
    """The record's indicators, keeping only what the record fills in."""

    def many(key: str, prefix: str, n: int) -> list[str]:
        if key in f:
            return [str(v).strip() for v in f[key] if str(v).strip()]
        return [str(f.get(f"{prefix}{i}", "")).strip() for i in range(1, n + 1)]

    def iso(column: str) -> str | None:
        day = parse_date(path, line, str(f.get(column, "")), column=column)
        return day.isoformat() if day else None

    anest = str(f.get("anest_bu", "")).strip()
    if anest and not anest.isdigit():
        raise DataFileError(path, f"bad anesthesia base units {anest!r}", line=line)
    found: dict[str, object] = {
        "pricing_indicators": [v for v in many("prices", "price", 4) if v],
        "mult_pi": str(f.get("mult_pi", "")).strip(),
        "coverage": str(f.get("cov", "")).strip(),
        "betos": str(f.get("betos", "")).strip(),
        "tos": [v for v in many("toss", "tos", 5) if v],
        "cim": [v for v in many("cims", "cim", 3) if v],
        "mcm": [v for v in many("mcms", "mcm", 3) if v],
        "statute": str(f.get("statute", "")).strip(),
        "labcert": [v for v in many("labcerts", "labcert", 8) if v],
        "xref": [v for v in many("xrefs", "xref", 5) if v],
        "asc_group": str(f.get("asc_grp", "")).strip(),
        "asc_date": iso("asc_dt"),
        "opps": str(f.get("opps", "")).strip(),
        "opps_pi": str(f.get("opps_pi", "")).strip(),
        "opps_date": iso("opps_dt"),
        "procnote": str(f.get("procnote", "")).strip(),
        "procnote_text": str(f.get("procnote_text", "")).strip(),
        "anesthesia_base_units": int(anest) if anest else None,
    }
    return {k: v for k, v in found.items() if v not in ("", None, [])}


def load_anweb(ctx: LoadContext) -> dict[str, int]:
    rows = list(parse_codes(ctx.path, ctx.release.effective_from))
    modifiers = sum(1 for r in rows if r[0] == CodeSystem.MODIFIER)
    counts = {"codes": ctx.insert(Code, CODE_FIELDS, rows)}
    if modifiers:
        counts["modifiers"] = modifiers
    return counts


def load_modifiers(ctx: LoadContext) -> dict[str, int]:
    n = ctx.insert(
        Code, CODE_FIELDS, parse_codes(ctx.path, ctx.release.effective_from, modifiers_only=True)
    )
    return {"codes": n, "modifiers": n}


def parse_scraped(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    for line, row in iter_csv_dicts(path, required=SCRAPED_COLUMNS):
        code = row["hcpcs"].strip().upper()
        text = row["long_description"].strip()
        refuse_licensed_text(path, line, code, text)
        if not HCPCS_LEVEL2_CODE.match(code):
            raise DataFileError(path, NOT_LEVEL2.format(code=code), line=line)
        guard.check(code, line)
        data = {"code": code, "long_description": text, "group_letter": row["group_letter"].strip()}
        yield ("hcpcs_long_descriptions", data)


def load_scraped(ctx: LoadContext) -> dict[str, int]:
    n = ctx.insert(ReferenceRow, ("key", "data"), parse_scraped(ctx.path))
    return {"hcpcs_long_descriptions": n}


# Detection ----------------------------------------------------------------------------------

TXT_NAME = r"HCPC\d{4}(?:_[A-Z]{3})?_ANWEB.*\.txt"
XLSX_NAME = r"HCPC\d{4}(?:_[A-Z]{3})?_ANWEB.*\.xlsx"
LEVEL2_CSV_NAME = r"hcpcs_level2_\d{4}(?:_\d{2})?(?:_anweb)?\.csv"
MODIFIER_CSV_NAME = r"hcpcs_modifiers_\d{4}(?:_\d{2})?\.csv"


def csv_layout_matches(header: list[str]) -> bool:
    return any(
        all(c in header for c in cols) for cols in (ANWEB_REQUIRED, JOINED_REQUIRED, JULY_REQUIRED)
    )


def txt_record_matches(path: Path) -> bool:
    """The first line is an ANWEB record: a code (a modifier is 3 blanks and 2 characters),
    a 5-digit sequence and RECID 3/7."""
    try:
        for _, text in iter_lines(path, encoding="latin-1"):
            return bool(
                len(text) >= 91
                and re.fullmatch(r"(?:[A-Z0-9]{5}| {3}[A-Z0-9]{2})\d{5}[37]", text[:11])
            )
    except DataFileError:
        return False
    return False


def matches_anweb(path: Path, header: list[str]) -> bool:
    if name_matches(path, TXT_NAME):
        return txt_record_matches(path)
    if name_matches(path, XLSX_NAME):
        return xlsx_has_header(path, is_anweb_header)
    return name_matches(path, LEVEL2_CSV_NAME) and csv_layout_matches(header)


def matches_modifiers(path: Path, header: list[str]) -> bool:
    return name_matches(path, MODIFIER_CSV_NAME) and csv_layout_matches(header)


def matches_scraped(path: Path, header: list[str]) -> bool:
    return name_matches(path, r"hcpcs_level2_long_desc_\d{4}_scraped\.csv") and all(
        c in header for c in SCRAPED_COLUMNS
    )


DATASETS = [
    Dataset(
        name="hcpcs_anweb",
        title="HCPCS Level II",
        code_system=CodeSystem.HCPCS,
        matches=matches_anweb,
        describe=describe_hcpcs,
        load=load_anweb,
        order=10,
    ),
    Dataset(
        name="hcpcs_modifiers",
        title="HCPCS Level II modifiers",
        code_system=CodeSystem.MODIFIER,
        matches=matches_modifiers,
        describe=describe_hcpcs,
        load=load_modifiers,
        order=10,
    ),
    Dataset(
        name="hcpcs_long_desc",
        title="HCPCS Level II long descriptions (third-party scrape)",
        code_system=CodeSystem.HCPCS,
        matches=matches_scraped,
        describe=describe_scraped,
        load=load_scraped,
        order=20,
    ),
]

"""Medicare Coverage Database (MCD) tables, kept as reference rows.

- `mcd_ncd_<YYYY>_<MM>.csv`: the MCD "ncd" download (NCD Manual 100-03): one row per NCD id and
  version. The download repeats an NCD once per benefit category; those repeats are merged into
  one row with a list of benefit categories (a repeat that differs in anything else is an
  error). The text fields are HTML and are stored as they are (pages sanitise them).
- `mcd_lcd_x_hcpc_code_*_<YYYY>_<MM>.csv`: LCD id/version -> HCPCS code rows (DME LCDs).
- `mcd_lcd_article_code_icd10_union_<YYYY>_<MM>_partial.csv`: procedure code -> ICD-10-CM
  covered/non-covered pairs from billing-and-coding articles (Coverage API; partial and
  approximate, see MANIFEST.md).
Only the shared normalised CSVs are read; the MCD's own bundle CSVs have other column sets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
    parse_date,
    parse_int,
    refuse_licensed_text,
)
from medcode.codes.models import ReferenceRow
from medcode.lib.codeshapes import HCPCS_COLUMN_CODE, ICD10CM_CODE
from medcode.lib.datafiles import iter_csv_dicts
from medcode.lib.errors import DataFileError

NCD_COLUMNS = (
    "id",
    "version",
    "coverage",
    "section",
    "section_name",
    "date_eff",
    "date_impl",
    "date_end",
    "description",
    "indications",
    "crossref",
    "other",
    "trsm_no",
    "trsm_date",
    "trsm_url",
    "chg_req",
    "review_history",
    "under_review",
    "date_created",
    "last_updated",
    "date_approved",
    "lab",
    "keyword",
    "ama_copyright",
    "benefit_code",
    "benefit_cat",
    "pub_code",
    "pub_number",
    "pub_title",
)
NCD_DATES = ("date_eff", "date_impl", "date_end", "trsm_date", "date_created", "date_approved")
NCD_FLAGS = ("under_review", "lab", "ama_copyright")
NCD_TEXT = (
    "coverage",
    "section",
    "section_name",
    "description",
    "indications",
    "crossref",
    "other",
    "trsm_no",
    "trsm_url",
    "chg_req",
    "review_history",
    "keyword",
    "pub_code",
    "pub_number",
    "pub_title",
)
LCD_COLUMNS = (
    "lcd_id",
    "lcd_version",
    "hcpc_code_id",
    "hcpc_code_version",
    "hcpc_code_group",
    "range",
    "last_updated",
    "long_description",
    "short_description",
    "paragraph",
)
ARTICLE_COLUMNS = ("hcpcs", "icd10cm", "status", "lcd_ids")

NCD_NAME = r"mcd_ncd_(\d{4})_(\d{2})\.csv"
LCD_NAME = r"mcd_lcd_x_hcpc_code\w*_(\d{4})_(\d{2})\.csv"
ARTICLE_NAME = r"mcd_lcd_article_code_icd10\w*?_(\d{4})_(\d{2})(_partial)?\.csv"

LCD_ID = re.compile(r"^L\d+$")
STATUSES = {"covered", "noncovered"}

DIFFERENT_REPEAT = "NCD {key} appears again with different content (only benefit may differ)"
NOT_HCPCS = "not a HCPCS/CPT code: {code!r}"
NOT_ICD10CM = "not an ICD-10-CM code: {code!r}"
BAD_STATUS = "status must be covered or noncovered, not {value!r}"
BAD_FLAG = "{column} must be True or False, not {value!r}"
BAD_LCD = "not an LCD id: {value!r}"
# What a shared file's name admits about its coverage, repeated in its version label.
NAME_NOTES = {"_dme_subset": "DME LCDs only", "_partial": "partial"}
NO_DATE = "cannot tell the download date (year, month) from the file name"


def _describe(pattern: str, label: str) -> Callable[[Path], ReleaseInfo]:
    def describe(path: Path) -> ReleaseInfo:
        found = re.search(pattern, path.name, re.IGNORECASE)
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise DataFileError(path, NO_DATE)
        year, month = int(found.group(1)), int(found.group(2))
        notes = [text for part, text in NAME_NOTES.items() if part in path.name.lower()]
        suffix = f" ({', '.join(notes)})" if notes else ""
        return ReleaseInfo(f"{label} {year}-{month:02d}{suffix}", dt.date(year, month, 1))

    return describe


def _flag(path: Path, line: int, row: dict[str, str], column: str) -> bool:
    value = row[column].strip()
    if value not in {"True", "False", ""}:
        raise DataFileError(path, BAD_FLAG.format(column=column, value=value), line=line)
    return value == "True"


def parse_ncd(path: Path) -> list[tuple[str, dict[str, object]]]:
    found: dict[tuple[int, int], dict[str, object]] = {}
    for line, row in iter_csv_dicts(path, required=NCD_COLUMNS):
        ncd_id = parse_int(path, line, row["id"], column="id")
        version = parse_int(path, line, row["version"], column="version")
        data: dict[str, object] = {"id": ncd_id, "version": version}
        data["title"] = row["section_name"].strip()
        for column in NCD_TEXT:
            data[column] = row[column].strip()
        for column in NCD_DATES:
            day = parse_date(path, line, row[column], column=column)
            data[column] = day.isoformat() if day else None
        data["last_updated"] = row["last_updated"].strip()
        for column in NCD_FLAGS:
            data[column] = _flag(path, line, row, column)
        code, category = row["benefit_code"].strip(), row["benefit_cat"].strip()
        benefits = [{"code": code, "category": category}] if code or category else []
        data["benefit_categories"] = benefits
        first = found.get((ncd_id, version))
        if first is None:
            found[(ncd_id, version)] = data
            continue
        if {k: v for k, v in first.items() if k != "benefit_categories"} != {
            k: v for k, v in data.items() if k != "benefit_categories"
        }:
            key = f"{ncd_id} version {version}"
            raise DataFileError(path, DIFFERENT_REPEAT.format(key=key), line=line)
        merged = first["benefit_categories"]
        assert isinstance(merged, list)
        merged.extend(b for b in benefits if b not in merged)
    return [("ncd", data) for data in found.values()]


def load_ncd(ctx: LoadContext) -> dict[str, int]:
    return {"ncd": ctx.insert(ReferenceRow, ("key", "data"), parse_ncd(ctx.path))}


def parse_lcd_hcpcs(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    guard = DuplicateGuard(path, "LCD, version, code and group")
    for line, row in iter_csv_dicts(path, required=LCD_COLUMNS):
        code = row["hcpc_code_id"].strip().upper()
        if not HCPCS_COLUMN_CODE.match(code):
            raise DataFileError(path, NOT_HCPCS.format(code=code), line=line)
        long, short = row["long_description"].strip(), row["short_description"].strip()
        refuse_licensed_text(path, line, code, long)
        refuse_licensed_text(path, line, code, short)
        lcd_id = parse_int(path, line, row["lcd_id"], column="lcd_id")
        lcd_version = parse_int(path, line, row["lcd_version"], column="lcd_version")
        group = parse_int(path, line, row["hcpc_code_group"], column="hcpc_code_group")
        guard.check((lcd_id, lcd_version, code, group), line)
        yield (
            "lcd_hcpcs",
            {
                "lcd_id": lcd_id,
                "lcd_version": lcd_version,
                "hcpcs": code,
                "hcpcs_version": row["hcpc_code_version"].strip(),
                "group": group,
                "range": row["range"].strip() == "Y",
                "last_updated": row["last_updated"].strip(),
                "long_description": long,
                "short_description": short,
                "paragraph": row["paragraph"].strip(),
            },
        )


def load_lcd_hcpcs(ctx: LoadContext) -> dict[str, int]:
    return {"lcd_hcpcs": ctx.insert(ReferenceRow, ("key", "data"), parse_lcd_hcpcs(ctx.path))}


def parse_article_icd10(path: Path) -> Iterator[tuple[str, str]]:
    """208k rows, kept lean: (key, data as JSON text), which insert_rows passes through.

    Codes and LCD lists repeat a lot (463 procedure codes, 7k diagnoses, 58 LCD lists), so each
    distinct value is checked once and its JSON piece cached.
    """
    seen: dict[tuple[str, str], int] = {}
    hcpcs_ok: set[str] = set()
    icd_ok: dict[str, str] = {}
    lcd_json: dict[str, str] = {}
    for line, row in iter_csv_dicts(path, required=ARTICLE_COLUMNS):
        code = row["hcpcs"]
        if code not in hcpcs_ok:
            if not HCPCS_COLUMN_CODE.match(code):
                raise DataFileError(path, NOT_HCPCS.format(code=code), line=line)
            hcpcs_ok.add(code)
        display = row["icd10cm"]
        icd = icd_ok.get(display)
        if icd is None:
            cleaned = display.strip().upper()
            if not ICD10CM_CODE.match(cleaned):
                raise DataFileError(path, NOT_ICD10CM.format(code=cleaned), line=line)
            icd = icd_ok[display] = cleaned.replace(".", "")
        status = row["status"]
        if status not in STATUSES:
            raise DataFileError(path, BAD_STATUS.format(value=status), line=line)
        lcds = lcd_json.get(row["lcd_ids"])
        if lcds is None:
            ids = row["lcd_ids"].split()
            for lcd in ids:
                if not LCD_ID.match(lcd):
                    raise DataFileError(path, BAD_LCD.format(value=lcd), line=line)
            lcds = lcd_json[row["lcd_ids"]] = "[" + ",".join(f'"{i}"' for i in ids) + "]"
        first = seen.setdefault((code, icd), line)
        if first != line:
            key = f"{code} / {display.strip()}"
            raise DataFileError(
                path, f"duplicate code pair {key!r} (first seen on line {first})", line=line
            )
        # Every value was checked against a pattern above (no quotes or backslashes), so the
        # JSON text is written directly: json.dumps was a third of this file's import time.
        data = f'{{"hcpcs":"{code}","icd10cm":"{icd}","status":"{status}","lcd_ids":{lcds}}}'
        yield ("article_icd10", data)


def load_article_icd10(ctx: LoadContext) -> dict[str, int]:
    rows = parse_article_icd10(ctx.path)
    return {"article_icd10": ctx.insert(ReferenceRow, ("key", "data"), rows)}


def _matches(pattern: str, columns: tuple[str, ...]) -> Callable[[Path, list[str]], bool]:
    def check(path: Path, header: list[str]) -> bool:
        return name_matches(path, pattern) and all(c in header for c in columns)

    return check


DATASETS = [
    Dataset(
        name="mcd_ncd",
        title="Medicare national coverage determinations (MCD)",
        code_system="",
        matches=_matches(NCD_NAME, NCD_COLUMNS),
        describe=_describe(NCD_NAME, "MCD NCD download"),
        load=load_ncd,
        order=40,
    ),
    Dataset(
        name="mcd_lcd_hcpcs",
        title="Medicare LCD HCPCS codes (MCD)",
        code_system="",
        matches=_matches(LCD_NAME, LCD_COLUMNS),
        describe=_describe(LCD_NAME, "MCD LCD download"),
        load=load_lcd_hcpcs,
        order=40,
    ),
    Dataset(
        name="mcd_article_icd10",
        title="Medicare coverage article ICD-10-CM codes (Coverage API)",
        code_system="",
        matches=_matches(ARTICLE_NAME, ARTICLE_COLUMNS),
        describe=_describe(ARTICLE_NAME, "Coverage API articles"),
        load=load_article_icd10,
        order=40,
        is_large=True,
    ),
]

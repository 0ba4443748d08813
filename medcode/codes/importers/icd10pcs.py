"""ICD-10-PCS: the CMS order and codes files, the shared CSVs, and the ICD-9 -> PCS GEM.

Every 7-character PCS code is a valid (billable) code; its first three characters name the
section, body system and root operation (the PCS table), kept in `attributes`. The order file
also lists the tables themselves as header rows (3 characters, not billable).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    ImpliedRelease,
    LoadContext,
    NameAndHeader,
    ReleaseInfo,
    name_matches,
    refuse_licensed_text,
)
from medcode.codes.importers.icd10cm_csv import fiscal_year_release
from medcode.codes.importers.icd10cm_order import (
    CsvOrOfficial,
    check_blanks,
    first_line,
    slice_record,
)
from medcode.codes.importers.icd10pcs_addenda import (
    Addenda,
    addenda_of,
    check_against_file,
    october_rows,
)
from medcode.codes.models import Code as CodeRow
from medcode.codes.models import CodeSystem, ReferenceRow
from medcode.lib.codeshapes import ICD10PCS_CHAR, ICD10PCS_CODE
from medcode.lib.datafiles import iter_csv_dicts, iter_lines
from medcode.lib.errors import DataFileError

# CMS "ICD-10-CM and ICD-10-PCS order file" record layout (icd10OrderFiles.pdf), 1-based and
# inclusive; None = to the end of the record.
PCS_ORDER_LAYOUT: tuple[tuple[str, int, int | None], ...] = (
    ("order_number", 1, 5),
    ("code", 7, 13),
    ("is_billable", 15, 15),  # 0 = header (a PCS table), 1 = valid code
    ("short_description", 17, 76),
    ("long_description", 78, None),
)
PCS_ORDER_BLANKS = (6, 14, 16, 77)
# CMS icd10pcs_codes_<YYYY>.txt: the code, a space, the long title.
PCS_CODES_LAYOUT: tuple[tuple[str, int, int | None], ...] = (
    ("code", 1, 7),
    ("long_description", 9, None),
)
PCS_CODES_BLANKS = (8,)

PCS_CHAR = ICD10PCS_CHAR  # PCS never uses the letters I and O
PCS_CODE = ICD10PCS_CODE
PCS_TABLE = re.compile(rf"^{PCS_CHAR}{{3}}$")
ORDER_TXT_NAME = r"icd10pcs[-_]order[-_](?:(?P<month>april|apr)[-_])?(?P<year>20\d\d)\.txt"
CODES_TXT_NAME = r"icd10pcs[-_]codes[-_](?:(?P<month>april|apr)[-_])?(?P<year>20\d\d)\.txt"
ORDER_RECORD = re.compile(rf"^\d{{5}} {PCS_CHAR}{{3}}[0-9A-HJ-NP-Z ]{{4}} [01] ")
CODES_RECORD = re.compile(rf"^{PCS_CHAR}{{7}} \S")
TUVA_NAME = r"icd10pcs_codes_tuva\.csv"
TUVA_COLUMNS = ("code", "long_description")
MEDSURG_NAME = r"icd10pcs_medsurg_(?P<year>20\d\d)\.csv"
MEDSURG_COLUMNS = ("code", "short_description", "long_description")
# CMS 2018 GEM gem_i9pcs.txt: ICD-9-CM procedure code, ICD-10-PCS code (or NoPCS) and five
# flag digits, separated by spaces (the ICD-9 column is padded, so records are split on spaces).
GEM_TXT_NAME = r"(?:20\d\d_)?gem_i9pcs\.txt"
GEM_RECORD = re.compile(r"^\d{2,4}\s+(?:[0-9A-HJ-NP-Z]{7}|NoPCS)\s+[01]{3}\d\d$")
GEM_CSV_NAME = r"icd10pcs_gem_i9_to_pcs_(?P<year>20\d\d)\.csv"
GEM_CSV_COLUMNS = ("icd9_proc", "icd10_pcs", "flags")
GEM_FLAGS = ("approximate", "no_map", "combination", "scenario", "choice_list")
CODE_FIELDS = (
    "system",
    "code",
    "display",
    "short_description",
    "long_description",
    "is_billable",
    "level",
    "parent",
    "attributes",
)

SHORT_RECORD = "the record is {length} characters long; the layout needs at least {need}"
BAD_ORDER_NUMBER = "bad order number {value!r} in columns 1-5"
BAD_FLAG = "the valid-code flag must be 0 or 1, not {value!r}"
NOT_A_CODE = "not an ICD-10-PCS code: {code!r}"
NO_DESCRIPTION = "code {code} has no description"
BAD_GEM = "expected an ICD-9-CM code, an ICD-10-PCS code (or NoPCS) and 5 flag digits"
BAD_GEM_FLAGS = "bad GEM flags {value!r}: five digits, the first three 0 or 1"
GEM_FLAGS_DISAGREE = "the flags {flags!r} disagree with the column {column}={value!r}"
NO_YEAR = "cannot tell the fiscal year from the file name"


def pcs_row(
    path: Path,
    line: int,
    code: str,
    short: str,
    long: str,
    guard: DuplicateGuard,
    *,
    flag: str = "1",
    parent: str = "",
) -> tuple[object, ...]:
    """A Code row for a PCS code (7 characters) or a PCS table header (3, order file only)."""
    refuse_licensed_text(path, line, code, long or short)
    if not (PCS_CODE.match(code) or (flag == "0" and PCS_TABLE.match(code))):
        raise DataFileError(path, NOT_A_CODE.format(code=code), line=line)
    if flag not in {"0", "1"}:
        raise DataFileError(path, BAD_FLAG.format(value=flag), line=line)
    if not (short or long):
        raise DataFileError(path, NO_DESCRIPTION.format(code=code), line=line)
    guard.check(code, line)
    return (
        CodeSystem.ICD10PCS,
        code,
        code,
        short,
        long or short,
        flag == "1",
        "code" if len(code) == 7 else "table",
        parent,
        table_attributes(code[:3]),
    )


@cache
def table_attributes(table: str) -> str:
    """Code.attributes of the codes in a PCS table, as JSON text (encoded once per table)."""
    return json.dumps(
        {"section": table[0], "body_system": table[1], "operation": table[2]},
        separators=(",", ":"),
    )


def parse_order_txt(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    tables: set[str] = set()
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        if len(line) < 78:
            raise DataFileError(path, SHORT_RECORD.format(length=len(line), need=78), line=number)
        check_blanks(path, number, line, PCS_ORDER_BLANKS)
        record = slice_record(line, PCS_ORDER_LAYOUT)
        if not record["order_number"].isdigit():
            raise DataFileError(
                path, BAD_ORDER_NUMBER.format(value=record["order_number"]), line=number
            )
        code = record["code"]
        if len(code) == 3:
            tables.add(code)
        yield pcs_row(
            path,
            number,
            code,
            record["short_description"],
            record["long_description"],
            guard,
            flag=record["is_billable"],
            parent=code[:3] if len(code) == 7 and code[:3] in tables else "",
        )


def parse_codes_txt(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        if len(line) < 9:
            raise DataFileError(path, SHORT_RECORD.format(length=len(line), need=9), line=number)
        check_blanks(path, number, line, PCS_CODES_BLANKS)
        record = slice_record(line, PCS_CODES_LAYOUT)
        yield pcs_row(path, number, record["code"], "", record["long_description"], guard)


def parse_pcs_csv(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    for number, row in iter_csv_dicts(path, required=columns):
        yield pcs_row(
            path,
            number,
            row["code"].strip().upper(),
            row.get("short_description", "").strip(),
            row["long_description"].strip(),
            guard,
        )


def parse_pcs_txt(path: Path) -> Iterator[tuple[object, ...]]:
    """The rows of a CMS order or codes file, whichever the name says it is."""
    return parse_codes_txt(path) if name_matches(path, CODES_TXT_NAME) else parse_order_txt(path)


def load_order(ctx: LoadContext) -> dict[str, int]:
    addenda = addenda_of(ctx.path)
    if addenda is None or not addenda.is_april_update:
        return {"codes": ctx.insert(CodeRow, CODE_FIELDS, parse_pcs_txt(ctx.path))}
    seen: set[str] = set()

    def noted(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:
            seen.add(str(row[1]))
            yield row

    counts = {"codes": ctx.insert(CodeRow, CODE_FIELDS, noted(parse_pcs_txt(ctx.path)))}
    check_against_file(addenda, ctx.path, seen)
    return counts


def october_loader(addenda: Addenda) -> Callable[[LoadContext], dict[str, int]]:
    """Loads the October release an April update changed: its file less the April changes."""

    def load(ctx: LoadContext) -> dict[str, int]:
        rows = october_rows(addenda, parse_pcs_txt(ctx.path), pcs_row)
        return {"codes": ctx.insert(CodeRow, CODE_FIELDS, rows)}

    return load


def load_tuva(ctx: LoadContext) -> dict[str, int]:
    return {"codes": ctx.insert(CodeRow, CODE_FIELDS, parse_pcs_csv(ctx.path, TUVA_COLUMNS))}


def load_medsurg(ctx: LoadContext) -> dict[str, int]:
    return {"codes": ctx.insert(CodeRow, CODE_FIELDS, parse_pcs_csv(ctx.path, MEDSURG_COLUMNS))}


def _name(path: Path) -> str:
    return path.name[:-3] if path.name.lower().endswith(".gz") else path.name


UNDATED_NOTE = (
    "no {addenda} that names the file, beside it or in the import's other folders: codes "
    "CMS added or deleted in a mid-year (April) update cannot be dated, so the file's codes "
    "are taken as valid for the whole fiscal year"
)


def describe_order(path: Path) -> ReleaseInfo:
    """The fiscal year the name says; read with its addenda, an April update's two releases.

    CMS names the April update's files like the October ones (icd10pcs_codes_2026.txt); the
    addenda that name the file (beside it, or in another folder of the import) tell which it
    is, and what changed on April 1.
    """
    year = month = 0
    for pattern in (ORDER_TXT_NAME, CODES_TXT_NAME):
        found = re.fullmatch(pattern, _name(path), flags=re.IGNORECASE)
        if found:
            year, month = int(found.group("year")), 4 if found.group("month") else 10
            break
    if not year:
        raise DataFileError(path, NO_YEAR)
    # An order file also has the table headers and short titles: of two copies, it is kept.
    is_codes = name_matches(path, CODES_TXT_NAME)
    fullness = 0 if is_codes else 1
    addenda = addenda_of(path)
    if addenda is None:
        kind = "codes" if is_codes else "order"
        return replace(
            fiscal_year_release(year, month),
            notes=UNDATED_NOTE.format(addenda=f"{kind}_addenda_{year}.txt"),
            fullness=fullness,
        )
    if not addenda.is_april_update or month == 4:
        return replace(
            fiscal_year_release(year, month), companions=(addenda.path,), fullness=fullness
        )
    october = fiscal_year_release(year)
    april = fiscal_year_release(year, 4)
    october = replace(october, effective_to=april.effective_from - dt.timedelta(days=1))
    return replace(
        april,
        companions=(addenda.path,),
        fullness=fullness,
        earlier=(
            ImpliedRelease(
                info=october,
                source_file=f"{path.name} less the April changes in {addenda.path.name}",
                load=october_loader(addenda),
            ),
        ),
    )


# Readers see a neutral label; who packaged the file is said on the About the data page.
TUVA_VERSION_LABEL = "FY2024 (year inferred)"


def describe_tuva(path: Path) -> ReleaseInfo:
    # The Tuva Project file does not say its fiscal year. It differs from the FY2025 Med/Surg
    # set (12 codes absent there, 287 FY2025 codes missing here), so most likely FY2024.
    return ReleaseInfo(
        version_label=TUVA_VERSION_LABEL,
        effective_from=dt.date(2023, 10, 1),
        effective_to=dt.date(2024, 9, 30),
    )


def describe_medsurg(path: Path) -> ReleaseInfo:
    found = re.fullmatch(MEDSURG_NAME, _name(path), flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, NO_YEAR)
    year = fiscal_year_release(int(found.group("year")))
    return ReleaseInfo(f"{year.version_label} Med/Surg", year.effective_from, year.effective_to)


# --- GEM ---------------------------------------------------------------------------------------


def gem_row(
    path: Path, line: int, icd9: str, pcs: str, flags: str
) -> tuple[str, dict[str, object]]:
    if not re.fullmatch(r"[01]{3}\d\d", flags):
        raise DataFileError(path, BAD_GEM_FLAGS.format(value=flags), line=line)
    if not re.fullmatch(r"\d{2,4}", icd9) or not (pcs == "NoPCS" or PCS_CODE.match(pcs)):
        raise DataFileError(path, BAD_GEM, line=line)
    data: dict[str, object] = {"icd9_proc": icd9, "icd10_pcs": pcs, "flags": flags}
    for name, digit in zip(GEM_FLAGS, flags, strict=True):
        data[name] = (
            digit == "1" if name in {"approximate", "no_map", "combination"} else int(digit)
        )
    return icd9, data


def parse_gem_txt(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            raise DataFileError(path, BAD_GEM, line=number)
        yield gem_row(path, number, *parts)


def parse_gem_csv(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    for number, row in iter_csv_dicts(path, required=GEM_CSV_COLUMNS):
        flags = row["flags"].strip()
        key, data = gem_row(path, number, row["icd9_proc"].strip(), row["icd10_pcs"].strip(), flags)
        for column, digit in zip(GEM_FLAGS, flags, strict=True):
            value = row.get(column, digit).strip()
            if value != digit:
                raise DataFileError(
                    path,
                    GEM_FLAGS_DISAGREE.format(flags=flags, column=column, value=value),
                    line=number,
                )
        yield key, data


def load_gem(ctx: LoadContext) -> dict[str, int]:
    rows = (
        parse_gem_csv(ctx.path) if name_matches(ctx.path, GEM_CSV_NAME) else parse_gem_txt(ctx.path)
    )
    return {"gems": ctx.insert(ReferenceRow, ("key", "data"), rows)}


def describe_gem(path: Path) -> ReleaseInfo:
    # The 2018 GEMs were the last CMS published (effective with FY2018, 2017-10-01).
    return ReleaseInfo(version_label="2018 GEM", effective_from=dt.date(2017, 10, 1))


# --- detection ---------------------------------------------------------------------------------


def matches_order(path: Path, header: list[str]) -> bool:
    if name_matches(path, ORDER_TXT_NAME):
        return ORDER_RECORD.match(first_line(path)) is not None
    if name_matches(path, CODES_TXT_NAME):
        return CODES_RECORD.match(first_line(path)) is not None
    return False


def is_gem_txt(path: Path) -> bool:
    return name_matches(path, GEM_TXT_NAME) and GEM_RECORD.match(first_line(path)) is not None


DATASETS = [
    Dataset(
        name="icd10pcs_order",
        title="ICD-10-PCS",
        code_system=CodeSystem.ICD10PCS,
        matches=matches_order,
        describe=describe_order,
        load=load_order,
        order=10,
        is_large=True,
    ),
    Dataset(
        name="icd10pcs_codes_tuva",
        title="ICD-10-PCS code list",
        code_system=CodeSystem.ICD10PCS,
        matches=NameAndHeader(TUVA_NAME, TUVA_COLUMNS),
        describe=describe_tuva,
        load=load_tuva,
        order=11,
        is_large=True,
    ),
    Dataset(
        name="icd10pcs_medsurg",
        title="ICD-10-PCS Medical and Surgical section",
        code_system=CodeSystem.ICD10PCS,
        matches=NameAndHeader(MEDSURG_NAME, MEDSURG_COLUMNS),
        describe=describe_medsurg,
        load=load_medsurg,
        order=11,
        is_large=True,
    ),
    Dataset(
        name="icd10pcs_gem",
        title="ICD-9-CM to ICD-10-PCS GEM",
        code_system="",
        matches=CsvOrOfficial(GEM_CSV_NAME, GEM_CSV_COLUMNS, is_gem_txt),
        describe=describe_gem,
        load=load_gem,
        order=40,
    ),
]

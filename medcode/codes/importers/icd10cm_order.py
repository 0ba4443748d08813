"""ICD-10-CM in tabular order with short titles: the CMS order file and its shared CSV.

The order file (`icd10cm_order_<YYYY>.txt`, in CMS's `<YYYY>-code-descriptions-tabular-order`
zip) lists every header and valid code with a short (60-character) and a long title. The shared
`icd10cm_order_2025.csv.gz` holds the same content for FY2025 (see MANIFEST.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    NameAndHeader,
    ReleaseInfo,
    name_matches,
    refuse_licensed_text,
)
from medcode.codes.importers.icd10cm_csv import fiscal_year_release
from medcode.codes.models import Code as CodeRow
from medcode.codes.models import CodeSystem
from medcode.lib.codeshapes import ICD10CM_CODE
from medcode.lib.datafiles import iter_csv_dicts, iter_lines, open_text
from medcode.lib.errors import DataFileError

# CMS "ICD-10-CM and ICD-10-PCS order file" record layout (icd10OrderFiles.pdf), 1-based and
# inclusive; None = to the end of the record.
ORDER_LAYOUT: tuple[tuple[str, int, int | None], ...] = (
    ("order_number", 1, 5),
    ("code", 7, 13),
    ("is_billable", 15, 15),  # 0 = header, not valid for HIPAA transactions; 1 = valid code
    ("short_description", 17, 76),
    ("long_description", 78, None),
)
ORDER_BLANKS = (6, 14, 16, 77)  # the single spaces between fields
ORDER_RECORD = re.compile(r"^\d{5} [0-9A-Z]{3}[0-9A-Z ]{4} [01] ")
ORDER_TXT_NAME = r"icd10cm[-_]order[-_](?:(?P<month>april|apr)[-_])?(?P<year>20\d\d)\.txt"
ORDER_CSV_NAME = r"icd10cm_order_(?P<year>20\d\d)\.csv"
ORDER_CSV_COLUMNS = ("code", "code_dot", "billable", "short_description", "long_description")
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

SHORT_RECORD = "the record is {length} characters long; the order file layout needs at least 78"
BAD_BLANK = "column {column} should be blank in the order file layout, found {char!r}"
BAD_ORDER_NUMBER = "bad order number {value!r} in columns 1-5"
BAD_FLAG = "the billable flag must be 0 or 1, not {value!r}"
NOT_A_CODE = "not an ICD-10-CM code: {code!r}"
NO_DESCRIPTION = "code {code} has no description"
DOT_MISMATCH = "code {code!r} and code_dot {display!r} disagree"
NO_YEAR = "cannot tell the fiscal year from the file name"


def slice_record(line: str, layout: tuple[tuple[str, int, int | None], ...]) -> dict[str, str]:
    """Cut a fixed-width record into its fields (stripped) by a (field, start, end) layout."""
    return {name: line[start - 1 : end].strip() for name, start, end in layout}


def check_blanks(path: Path, number: int, line: str, columns: tuple[int, ...]) -> None:
    for column in columns:
        char = line[column - 1]
        if char != " ":
            raise DataFileError(path, BAD_BLANK.format(column=column, char=char), line=number)


def display_code(code: str) -> str:
    """S72001A -> S72.001A; codes that are not ICD-10-CM-shaped are shown as they are."""
    if len(code) > 3 and code[0].isalpha():
        return f"{code[:3]}.{code[3:]}"
    return code


def code_level(code: str, is_billable: bool) -> str:
    if len(code) == 3:
        return "category"
    return "code" if is_billable else "subcategory"


class ParentFinder:
    """The parent of a code is the longest code seen before it that it extends (X skipped)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def parent_of(self, code: str) -> str:
        self.seen.add(code)
        for length in range(len(code) - 1, 2, -1):
            if code[:length] in self.seen:
                return code[:length]
        return ""


def parse_order_txt(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    parents = ParentFinder()
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        if len(line) < 78:
            raise DataFileError(path, SHORT_RECORD.format(length=len(line)), line=number)
        check_blanks(path, number, line, ORDER_BLANKS)
        record = slice_record(line, ORDER_LAYOUT)
        if not record["order_number"].isdigit():
            raise DataFileError(
                path, BAD_ORDER_NUMBER.format(value=record["order_number"]), line=number
            )
        yield _code_row(
            path,
            number,
            record["code"],
            display_code(record["code"]),
            record["is_billable"],
            record["short_description"],
            record["long_description"],
            guard,
            parents,
        )


def parse_order_csv(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    parents = ParentFinder()
    for number, row in iter_csv_dicts(path, required=ORDER_CSV_COLUMNS):
        code = row["code"].strip().upper()
        display = row["code_dot"].strip().upper() or display_code(code)
        if display.replace(".", "") != code:
            raise DataFileError(path, DOT_MISMATCH.format(code=code, display=display), line=number)
        yield _code_row(
            path,
            number,
            code,
            display,
            row["billable"].strip(),
            row["short_description"].strip(),
            row["long_description"].strip(),
            guard,
            parents,
        )


def _code_row(
    path: Path,
    number: int,
    code: str,
    display: str,
    flag: str,
    short: str,
    long: str,
    guard: DuplicateGuard,
    parents: ParentFinder,
) -> tuple[object, ...]:
    refuse_licensed_text(path, number, display, long or short)
    if not ICD10CM_CODE.match(display):
        raise DataFileError(path, NOT_A_CODE.format(code=display), line=number)
    if flag not in {"0", "1"}:
        raise DataFileError(path, BAD_FLAG.format(value=flag), line=number)
    if not (short or long):
        raise DataFileError(path, NO_DESCRIPTION.format(code=display), line=number)
    guard.check(code, number)
    is_billable = flag == "1"
    return (
        CodeSystem.ICD10CM,
        code,
        display,
        short[:255],
        long or short,
        is_billable,
        code_level(code, is_billable),
        parents.parent_of(code),
        "{}",  # attributes, as JSON text (see icd10cm_xml.NO_ATTRIBUTES)
    )


def load_order(ctx: LoadContext) -> dict[str, int]:
    rows = parse_order_csv(ctx.path) if _is_csv(ctx.path) else parse_order_txt(ctx.path)
    return {"codes": ctx.insert(CodeRow, CODE_FIELDS, rows)}


def describe_order(path: Path) -> ReleaseInfo:
    """An order file covers its fiscal year (Oct 1 - Sep 30); an April one Apr 1 - Sep 30."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    found = re.fullmatch(ORDER_TXT_NAME, name, flags=re.IGNORECASE) or re.fullmatch(
        ORDER_CSV_NAME, name, flags=re.IGNORECASE
    )
    if not found:
        raise DataFileError(path, NO_YEAR)
    is_april = bool(found.groupdict().get("month"))
    return fiscal_year_release(int(found.group("year")), 4 if is_april else 10)


def first_line(path: Path) -> str:
    """The first line of a (possibly gzipped) text file; "" when it cannot be read."""
    try:
        with open_text(path) as fh:
            return fh.readline().rstrip("\r\n")
    except (DataFileError, OSError, UnicodeDecodeError, EOFError):
        return ""


def _is_csv(path: Path) -> bool:
    return name_matches(path, ORDER_CSV_NAME)


@dataclass(frozen=True)
class CsvOrOfficial(NameAndHeader):
    """Matches the shared CSV by name and header, or else the publisher's file by `official`.

    Being a NameAndHeader, a CSV named right whose header lacks columns is reported as such.
    """

    official: Callable[[Path], bool]

    def __call__(self, path: Path, header: list[str]) -> bool:
        return super().__call__(path, header) or self.official(path)


def is_order_txt(path: Path) -> bool:
    return name_matches(path, ORDER_TXT_NAME) and ORDER_RECORD.match(first_line(path)) is not None


DATASETS = [
    Dataset(
        name="icd10cm_order",
        title="ICD-10-CM (order file, short titles)",
        code_system=CodeSystem.ICD10CM,
        matches=CsvOrOfficial(ORDER_CSV_NAME, ORDER_CSV_COLUMNS, is_order_txt),
        describe=describe_order,
        load=load_order,
        order=12,
        is_large=True,
    ),
]

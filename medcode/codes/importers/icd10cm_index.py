"""The ICD-10-CM indexes: Alphabetic Index, External Cause Index, Drug and Neoplasm tables.

Each comes as the CDC XML (`ICD10CM.index`: letter > mainTerm > term level=n, with title,
nemod, see, seeAlso, code, manif, seecat, subcat; the two tables add `cell col=2..7`) and as a
shared CSV flattened in document order (MANIFEST.md). Both give IndexEntry rows in document
order: level 0 is a main term, `path` joins the terms above with " > ". `code` is undotted like
Code.code (a trailing "-" means the code is incomplete); the drug and neoplasm codes stay as
printed in `cells`, keyed by TABLE_COLUMNS, and the other term fields (nemod, manif, seecat,
subcat, warning) go to `cells` too when present.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
    refuse_licensed_text,
)
from medcode.codes.importers.icd10cm_csv import fiscal_year_release
from medcode.codes.importers.icd10cm_order import CsvOrOfficial
from medcode.codes.importers.icd10cm_xml import clean, has_root, iter_xml, xml_head
from medcode.codes.models import CodeSystem, IndexEntry
from medcode.lib.datafiles import iter_csv_dicts
from medcode.lib.errors import DataFileError

DRUG_COLUMNS = (
    "poisoning_accidental",
    "poisoning_intentional_self_harm",
    "poisoning_assault",
    "poisoning_undetermined",
    "adverse_effect",
    "underdosing",
)
NEOPLASM_COLUMNS = (
    "malignant_primary",
    "malignant_secondary",
    "ca_in_situ",
    "benign",
    "uncertain_behavior",
    "unspecified_behavior",
)
# The table columns in `cells`, in the order printed (XML cell col 2..7).
TABLE_COLUMNS = {"drug": DRUG_COLUMNS, "neoplasm": NEOPLASM_COLUMNS}
# Term fields other than title/see/seeAlso/code/cell, kept in `cells` (CSV column -> key).
EXTRA_FIELDS = {
    "nemod": "nemod",
    "manif": "manif",
    "seecat": "seecat",
    "see_cat": "seecat",
    "subcat": "subcat",
    "warning": "warning",
}
INDEX_ROOT = "ICD10CM.index"
INDEX_CODE = re.compile(r"^[A-Z][0-9A-Z]{2}(?:\.?[0-9A-Z]{0,4})?-?$")
TERM_TAGS = {"mainTerm", "term"}
ENTRY_FIELDS = ("table", "seq", "level", "term", "path", "code", "see", "see_also", "cells")

TERM_WITHOUT_TITLE = "a term without a title"
BAD_LEVEL = "bad level {value!r}: a term is one level below the term before it or higher"
BAD_COLUMN = "bad table column {value!r} (expected 2 to 7)"
NOT_A_CODE = "not an ICD-10-CM code: {code!r}"
NO_YEAR = "cannot tell the fiscal year from the file name"


@dataclass(frozen=True)
class IndexTable:
    """One of the four index files: its table key, dataset and file names."""

    table: str
    dataset: str
    title: str
    xml_name: str
    csv_name: str
    csv_columns: tuple[str, ...]
    heading: str = ""  # the drug and neoplasm XML open with <indexHeading><head col="1">...


def _xml_name(word: str) -> str:
    # icd10cm-index-2025.xml, icd-10-cm-eindex-2025.xml, icd10cm-drug-April-2025.xml(.gz)
    return rf"icd-?10-?cm[-_]{word}[-_](?:(?:april|october)[-_])?(?P<year>20\d\d)\.xml"


BASE_CSV = ("seq", "letter", "level", "term")
TABLES = (
    IndexTable(
        "index",
        "icd10cm_index",
        "ICD-10-CM Alphabetic Index",
        _xml_name("index"),
        r"icd10cm_index_(?P<year>20\d\d)\.csv",
        (*BASE_CSV, "see", "see_also", "nemod", "code"),
    ),
    IndexTable(
        "eindex",
        "icd10cm_eindex",
        "ICD-10-CM External Cause Index",
        _xml_name("eindex"),
        r"icd10cm_external_cause_index_(?P<year>20\d\d)\.csv",
        (*BASE_CSV, "nemod", "path", "code", "see", "see_also", "see_cat", "subcat"),
    ),
    IndexTable(
        "drug",
        "icd10cm_drug",
        "ICD-10-CM Table of Drugs and Chemicals",
        _xml_name("drug"),
        r"icd10cm_drug_table_(?P<year>20\d\d)\.csv",
        (*BASE_CSV, "nemod", "path", *DRUG_COLUMNS, "see", "see_also"),
        heading="Substance",
    ),
    IndexTable(
        "neoplasm",
        "icd10cm_neoplasm",
        "ICD-10-CM Table of Neoplasms",
        _xml_name("neoplasm"),
        r"icd10cm_neoplasm_table_(?P<year>20\d\d)\.csv",
        (*BASE_CSV, "nemod", "path", *NEOPLASM_COLUMNS, "manif", "see", "see_also"),
        heading="Neoplasm",
    ),
)


@dataclass
class Term:
    """A term being read; written out once its own fields are known."""

    level: int
    line: int
    term: str = ""
    code: str = ""
    see: str = ""
    see_also: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    is_written: bool = False


class EntryWriter:
    """Turns terms into IndexEntry rows: sequence, path from the open terms, checks."""

    def __init__(self, path: Path, table: IndexTable) -> None:
        self.path = path
        self.table = table
        self.columns = TABLE_COLUMNS.get(table.table, ())
        self.terms: list[str] = []  # the path so far, one term per level
        self.seq = 0

    def row(self, line: int, level: int, term: Term, path: str = "") -> tuple[object, ...]:
        # A few titles are nothing but a nonessential modifier, e.g. "(somatoform)".
        term.term = term.term or term.cells.get("nemod", "")
        if not term.term:
            raise DataFileError(self.path, TERM_WITHOUT_TITLE, line=line)
        if level < 0 or level > len(self.terms):
            raise DataFileError(self.path, BAD_LEVEL.format(value=level), line=line)
        del self.terms[level:]
        self.terms.append(term.term)
        self.seq += 1
        code = term.code.upper()
        for value in (code, *(term.cells.get(c, "") for c in self.columns)):
            refuse_licensed_text(self.path, line, value, term.term)
        if code and not INDEX_CODE.match(code):
            raise DataFileError(self.path, NOT_A_CODE.format(code=code), line=line)
        cells = {c: term.cells.get(c, "") for c in self.columns}
        cells.update((k, v) for k, v in term.cells.items() if k not in cells and v)
        return (
            self.table.table,
            self.seq,
            level,
            term.term,
            path or " > ".join(self.terms),
            code.replace(".", ""),
            term.see,
            term.see_also,
            cells or "{}",  # JSON text: most index terms have no cells, no need to encode {}
        )


def parse_index_xml(path: Path, table: IndexTable) -> Iterator[tuple[object, ...]]:
    """IndexEntry rows from a CDC index XML, in document order."""
    writer = EntryWriter(path, table)
    columns = TABLE_COLUMNS.get(table.table, ())
    open_terms: list[Term] = []
    tags: list[str] = []  # the open elements
    for line, event, elem in iter_xml(path):
        tag = elem.tag
        if event == "start":
            tags.append(tag)
            if tag in TERM_TAGS:
                # A term's own fields all come before its subterms: write it out now.
                if open_terms and not open_terms[-1].is_written:
                    yield _write(writer, open_terms[-1])
                level = 0 if tag == "mainTerm" else _level(path, line, elem.get("level", ""))
                if level != len(open_terms):
                    raise DataFileError(path, BAD_LEVEL.format(value=level), line=line)
                open_terms.append(Term(level, line))
            continue
        tags.pop()
        if tag in TERM_TAGS:
            term = open_terms.pop()
            if not term.is_written:
                yield _write(writer, term)
            elem.clear()
            continue
        if not tags or tags[-1] not in TERM_TAGS:
            continue
        term = open_terms[-1]
        text = clean("".join(elem.itertext()))
        if tag == "title":
            term.term, nemod = _title(elem)
            if nemod:
                term.cells["nemod"] = nemod
        elif tag == "code":
            term.code = text
        elif tag == "see":
            term.see = text
        elif tag == "seeAlso":
            term.see_also = text
        elif tag == "cell" and columns:
            term.cells[_column(path, line, elem.get("col", ""), columns)] = text
        elif tag in EXTRA_FIELDS and text:
            term.cells[EXTRA_FIELDS[tag]] = text


def _write(writer: EntryWriter, term: Term) -> tuple[object, ...]:
    term.is_written = True
    return writer.row(term.line, term.level, term)


def _level(path: Path, line: int, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise DataFileError(path, BAD_LEVEL.format(value=value), line=line) from None


def _column(path: Path, line: int, value: str, columns: tuple[str, ...]) -> str:
    """The cells key of XML column 2..7."""
    if value.strip() not in {"2", "3", "4", "5", "6", "7"}:
        raise DataFileError(path, BAD_COLUMN.format(value=value), line=line)
    return columns[int(value) - 2]


def _title(elem: ET.Element) -> tuple[str, str]:
    """The term text without its nonessential modifiers, and the modifiers."""
    text = [elem.text or ""]
    nemods = []
    for child in elem:
        if child.tag == "nemod":
            nemods.append("".join(child.itertext()))
        else:
            text.append("".join(child.itertext()))
        text.append(child.tail or "")
    return clean("".join(text)), clean(" ".join(nemods))


def parse_index_csv(path: Path, table: IndexTable) -> Iterator[tuple[object, ...]]:
    """IndexEntry rows from a shared index CSV; the path is rebuilt when the file has none."""
    writer = EntryWriter(path, table)
    guard = DuplicateGuard(path, "seq")
    columns = TABLE_COLUMNS.get(table.table, ())
    for line, row in iter_csv_dicts(path, required=table.csv_columns):
        seq = _whole(path, line, row["seq"], "seq")
        guard.check(seq, line)
        cells = {c: clean(row[c]) for c in columns}
        cells.update(
            (key, clean(row[column]))
            for column, key in EXTRA_FIELDS.items()
            if row.get(column, "").strip()
        )
        term = Term(
            _whole(path, line, row["level"], "level"),
            line,
            term=clean(row["term"]),
            code=row.get("code", "").strip(),
            see=clean(row["see"]),
            see_also=clean(row["see_also"]),
            cells=cells,
        )
        writer.seq = seq - 1  # keep the file's own sequence numbers
        yield writer.row(line, term.level, term, clean(row.get("path", "")))


def _whole(path: Path, line: int, value: str, column: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise DataFileError(
            path, f"bad whole number {value!r} in column {column}", line=line
        ) from None


def _name(path: Path) -> str:
    return path.name[:-3] if path.name.lower().endswith(".gz") else path.name


def _loader(table: IndexTable) -> Callable[[LoadContext], dict[str, int]]:
    def load(ctx: LoadContext) -> dict[str, int]:
        if name_matches(ctx.path, table.csv_name):
            rows = parse_index_csv(ctx.path, table)
        else:
            rows = parse_index_xml(ctx.path, table)
        return {"index_entries": ctx.insert(IndexEntry, ENTRY_FIELDS, rows)}

    return load


def _describer(table: IndexTable) -> Callable[[Path], ReleaseInfo]:
    def describe(path: Path) -> ReleaseInfo:
        """The index of a fiscal year (its April update too) is labelled FY<YYYY>."""
        for pattern in (table.xml_name, table.csv_name):
            found = re.fullmatch(pattern, _name(path), flags=re.IGNORECASE)
            if found:
                return fiscal_year_release(int(found.group("year")))
        raise DataFileError(path, NO_YEAR)

    return describe


def _official(table: IndexTable) -> Callable[[Path], bool]:
    def is_official(path: Path) -> bool:
        if not name_matches(path, table.xml_name) or not has_root(path, INDEX_ROOT):
            return False
        head = xml_head(path)
        if table.heading:
            return re.search(rf'<head col="1">\s*{table.heading}', head) is not None
        return "<indexHeading" not in head

    return is_official


DATASETS = [
    Dataset(
        name=table.dataset,
        title=table.title,
        code_system=CodeSystem.ICD10CM,
        matches=CsvOrOfficial(table.csv_name, table.csv_columns, _official(table)),
        describe=_describer(table),
        load=_loader(table),
        order=30,
    )
    for table in TABLES
]

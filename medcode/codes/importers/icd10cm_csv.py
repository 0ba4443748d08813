"""ICD-10-CM from the normalised CSVs: codes, tabular notes, 7th characters, chapters.

The columns follow shared/data/MANIFEST.md (built from the CDC tabular XML, FY2026 April).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    NameAndHeader,
    ReleaseInfo,
)
from medcode.codes.models import Code as CodeRow
from medcode.codes.models import CodeNote, CodeSystem, Heading, SeventhCharacter
from medcode.lib.codeshapes import ICD10CM_CODE
from medcode.lib.datafiles import iter_csv_dicts
from medcode.lib.errors import DataFileError

CODE_COLUMNS = (
    "code",
    "code_nodot",
    "description",
    "level",
    "billable",
    "parent",
    "chapter",
    "section",
)
NOTE_COLUMNS = ("code", "note_type", "seq", "text")
SEVENTH_COLUMNS = ("code", "character", "description")
CHAPTER_COLUMNS = ("chapter", "section_range", "description", "kind")
NOTE_TYPES = {
    "inclusionTerm",
    "includes",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "notes",
    "sevenChrNote",
}


def fiscal_year_release(year: int, month: int = 10) -> ReleaseInfo:
    """ICD-10-CM fiscal years run Oct 1 to Sep 30; April updates run Apr 1 to Sep 30."""
    if month == 4:
        return ReleaseInfo(
            version_label=f"FY{year} April",
            effective_from=dt.date(year, 4, 1),
            effective_to=dt.date(year, 9, 30),
        )
    return ReleaseInfo(
        version_label=f"FY{year}",
        effective_from=dt.date(year - 1, 10, 1),
        effective_to=dt.date(year, 9, 30),
    )


def describe_fy2026_april(path: Path) -> ReleaseInfo:
    year = _year_in_name(path)
    return fiscal_year_release(year, 4)


def _year_in_name(path: Path) -> int:
    found = re.search(r"(20\d\d)", path.name)
    if not found:
        raise DataFileError(path, "cannot tell the fiscal year from the file name")
    return int(found.group(1))


def undot(code: str) -> str:
    return code.replace(".", "").strip().upper()


def parse_codes(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "code")
    for line, row in iter_csv_dicts(path, required=CODE_COLUMNS):
        display = row["code"].strip().upper()
        code = undot(row["code_nodot"] or display)
        if not ICD10CM_CODE.match(display) or code != undot(display):
            raise DataFileError(path, f"not an ICD-10-CM code: {display!r}", line=line)
        guard.check(code, line)
        billable = row["billable"].strip()
        if billable not in {"0", "1"}:
            raise DataFileError(path, f"billable must be 0 or 1, not {billable!r}", line=line)
        description = row["description"].strip()
        if not description:
            raise DataFileError(path, f"code {display} has no description", line=line)
        derived = row.get("description_derived", "0") == "1"
        yield (
            CodeSystem.ICD10CM,
            code,
            display,
            "",
            description,
            billable == "1",
            row["level"].strip(),
            undot(row["parent"]),
            row["chapter"].strip(),
            row["section"].strip(),
            {"description_derived": True} if derived else {},
        )


def load_codes(ctx: LoadContext) -> dict[str, int]:
    fields = (
        "system",
        "code",
        "display",
        "short_description",
        "long_description",
        "is_billable",
        "level",
        "parent",
        "chapter",
        "section",
        "attributes",
    )
    return {"codes": ctx.insert(CodeRow, fields, parse_codes(ctx.path))}


def parse_notes(path: Path) -> Iterator[tuple[object, ...]]:
    for line, row in iter_csv_dicts(path, required=NOTE_COLUMNS):
        note_type = row["note_type"].strip()
        if note_type not in NOTE_TYPES:
            raise DataFileError(path, f"unknown note_type {note_type!r}", line=line)
        try:
            seq = int(row["seq"])
        except ValueError:
            raise DataFileError(
                path, f"seq must be a whole number, not {row['seq']!r}", line=line
            ) from None
        key = row["code"].strip()
        code = key if key.startswith("CH") or "-" in key else undot(key)
        yield (code, note_type, seq, row["text"].strip())


def load_notes(ctx: LoadContext) -> dict[str, int]:
    return {
        "notes": ctx.insert(CodeNote, ("code", "note_type", "seq", "text"), parse_notes(ctx.path))
    }


def parse_seventh(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "7th character")
    for line, row in iter_csv_dicts(path, required=SEVENTH_COLUMNS):
        char = row["character"].strip().upper()
        if len(char) != 1:
            raise DataFileError(path, f"a 7th character is one character, not {char!r}", line=line)
        code = undot(row["code"])
        guard.check((code, char), line)
        yield (code, char, row["description"].strip())


def load_seventh(ctx: LoadContext) -> dict[str, int]:
    return {
        "seventh": ctx.insert(
            SeventhCharacter, ("code", "character", "description"), parse_seventh(ctx.path)
        )
    }


def parse_chapters(path: Path) -> Iterator[tuple[object, ...]]:
    for seq, (line, row) in enumerate(iter_csv_dicts(path, required=CHAPTER_COLUMNS)):
        kind = row["kind"].strip()
        if kind not in {"chapter", "section"}:
            raise DataFileError(path, f"kind must be chapter or section, not {kind!r}", line=line)
        yield (
            kind,
            row["chapter"].strip(),
            row["section_range"].strip(),
            row["description"].strip(),
            seq,
        )


def load_chapters(ctx: LoadContext) -> dict[str, int]:
    fields = ("kind", "chapter", "code_range", "description", "seq")
    return {"headings": ctx.insert(Heading, fields, parse_chapters(ctx.path))}


DATASETS = [
    Dataset(
        name="icd10cm_codes",
        title="ICD-10-CM",
        code_system=CodeSystem.ICD10CM,
        matches=NameAndHeader(r"icd10cm_codes_\d{4}\.csv", CODE_COLUMNS),
        describe=describe_fy2026_april,
        load=load_codes,
        order=10,
    ),
    Dataset(
        name="icd10cm_notes",
        title="ICD-10-CM tabular notes",
        code_system=CodeSystem.ICD10CM,
        matches=NameAndHeader(r"icd10cm_tabular_notes_\d{4}\.csv", NOTE_COLUMNS),
        describe=describe_fy2026_april,
        load=load_notes,
        order=20,
    ),
    Dataset(
        name="icd10cm_seventh",
        title="ICD-10-CM 7th characters",
        code_system=CodeSystem.ICD10CM,
        matches=NameAndHeader(r"icd10cm_7th_characters_\d{4}\.csv", SEVENTH_COLUMNS),
        describe=describe_fy2026_april,
        load=load_seventh,
        order=20,
    ),
    Dataset(
        name="icd10cm_chapters",
        title="ICD-10-CM chapters and sections",
        code_system=CodeSystem.ICD10CM,
        matches=NameAndHeader(r"icd10cm_chapters_sections_\d{4}\.csv", CHAPTER_COLUMNS),
        describe=describe_fy2026_april,
        load=load_chapters,
        order=20,
    ),
]

"""ICD-10-CM from the CDC tabular XML: codes, tabular notes, 7th characters, chapters, sections.

The XML (`ICD10CM.tabular`, CDC/NCHS) nests chapter > section > diag > diag ...; a diag that
declares `sevenChrDef` passes its 7th characters down to every leaf below it, and those leaves
are only valid with one of them. This importer writes the leaves' 7-character codes out as
codes of their own (placeholder X up to 6 characters), as the CDC code list does.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.util import find_spec
from itertools import count
from pathlib import Path
from typing import cast

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
    refuse_licensed_text,
)
from medcode.codes.importers.icd10cm_csv import NOTE_TYPES, fiscal_year_release
from medcode.codes.importers.icd10cm_order import code_level
from medcode.codes.models import Code as CodeRow
from medcode.codes.models import CodeNote, CodeSystem, Heading, SeventhCharacter
from medcode.lib.codeshapes import ICD10CM_CODE
from medcode.lib.datafiles import iter_lines, open_text
from medcode.lib.errors import DataFileError

# icd10cm-tabular-April-2026.xml, icd10cm_tabular_2026.xml, icd10c-tabular-April-1-2026.xml
TABULAR_NAME = (
    r"icd-?10-?cm?[-_]tabular[-_]"
    r"(?:(?P<month>april|apr|october|oct)[-_](?:\d{1,2}[-_])?)?(?P<year>20\d\d)\.xml"
)
TABULAR_ROOT = "ICD10CM.tabular"
EMBEDDED_PACKAGE = "simple_icd_10_cm"
EMBEDDED_FILE = "icd10c-tabular-April-1-2026.xml"
CODE_FIELDS = (
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

# The one 7th-character exception the XML states only in prose (the <notes> of category S06):
# 7th characters D and S do not apply to S06 codes whose 6th character is 7 or 8 (death before
# regaining consciousness). Matched against the code padded to 6 characters.
SEVENTH_EXCEPTIONS = ((re.compile(r"S06..[78]"), frozenset("DS")),)

# Code.attributes as JSON text: the bulk loader passes text through, so the same two values are
# not encoded again for each of the ~100k rows.
NO_ATTRIBUTES = "{}"
DERIVED_DESCRIPTION = json.dumps({"description_derived": True}, separators=(",", ":"))

MALFORMED_XML = "not well-formed XML ({error})"
NOT_A_CODE = "not an ICD-10-CM code: {code!r}"
DIAG_WITHOUT_NAME = "a <diag> without a <name>"
DIAG_WITHOUT_DESC = "code {code} has no <desc>"
BAD_SEVENTH = "a 7th character is one letter or digit, not {char!r} (at {code})"
NO_YEAR = (
    "cannot tell the release from the file name (expected e.g. icd10cm-tabular-April-2026.xml)"
)


def embedded_tabular_path() -> Path:
    """The FY2026 April tabular XML shipped inside the simple-icd-10-cm package.

    Found with find_spec rather than importlib.resources.files(), which would import the
    package, and the package parses this whole file when imported (seconds, ~100 MB).
    """
    spec = find_spec(EMBEDDED_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "data" / EMBEDDED_FILE
        if path.is_file():
            return path
    raise DataFileError(EMBEDDED_FILE, f"the {EMBEDDED_PACKAGE} package is not installed")


# --- reading XML with line numbers -------------------------------------------------------------


def iter_xml(path: Path) -> Iterator[tuple[int, str, ET.Element]]:
    """Yield (line, "start" | "end", element) in document order, for plain or gzip XML.

    Lines are fed to a pull parser one at a time, so every event knows the line it ends on
    and error messages can name it. Callers clear finished elements to keep memory flat.
    """
    parser = ET.XMLPullParser(events=("start", "end"))
    line = 0
    try:
        for line, text in iter_lines(path):
            parser.feed(text + "\n")
            for item in parser.read_events():
                # Only start/end events were asked for: (event, element) pairs.
                yield line, item[0], cast(ET.Element, item[-1])
        parser.close()
    except ET.ParseError as exc:
        # The newline fed after the last line can put the end one line past the file.
        where = min(exc.position[0], line) if exc.position and line else line or None
        raise DataFileError(path, MALFORMED_XML.format(error=exc), line=where) from exc


def xml_head(path: Path, size: int = 4096) -> str:
    """The first characters of a (possibly gzipped) file; "" when it cannot be read as text."""
    try:
        with open_text(path) as fh:
            return fh.read(size)
    except (DataFileError, OSError, UnicodeDecodeError, EOFError):
        return ""


def has_root(path: Path, root: str) -> bool:
    return re.search(rf"<{re.escape(root)}[\s>]", xml_head(path)) is not None


def clean(text: str | None) -> str:
    """Collapse the XML's indentation whitespace."""
    return " ".join(text.split()) if text else ""


def dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


# --- the tabular -------------------------------------------------------------------------------


@dataclass
class Diag:
    """One <diag> of the tabular, as read."""

    seq: int
    line: int  # of its <name> (of the <diag> until the name is read)
    code: str = ""
    display: str = ""
    description: str = ""
    parent: str = ""
    chapter: str = ""
    section: str = ""
    has_children: bool = False
    seventh: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Tabular:
    """Everything one tabular XML holds, in document order."""

    diags: list[Diag] = field(default_factory=list)
    notes: list[tuple[str, str, int, str]] = field(default_factory=list)
    seventh: list[tuple[str, str, str]] = field(default_factory=list)
    headings: list[tuple[str, str, str, str, int]] = field(default_factory=list)


def parse_tabular(path: Path) -> Tabular:
    """Read the tabular in one streaming pass (notes, 7th characters, headings, diags)."""
    out = Tabular()
    tags: list[ET.Element] = []  # the open elements, root first
    diags: list[Diag] = []  # the open <diag>s
    chapter = ""
    section = ""
    note_seq: dict[tuple[str, str], int] = {}
    guard = DuplicateGuard(path, "code")
    order = count()

    def owner_key(owner: ET.Element, line: int) -> str:
        if owner.tag == "diag":
            if not diags[-1].code:
                raise DataFileError(path, DIAG_WITHOUT_NAME, line=line)
            return diags[-1].code
        if owner.tag == "chapter":
            return f"CH{chapter}"
        return section

    for line, event, elem in iter_xml(path):
        tag = elem.tag
        if event == "start":
            tags.append(elem)
            if tag == "diag":
                if diags:
                    diags[-1].has_children = True
                parent = diags[-1].code if diags else ""
                diags.append(
                    Diag(next(order), line, parent=parent, chapter=chapter, section=section)
                )
            elif tag == "section":
                section = elem.get("id", "").strip()
            elif tag == "chapter":
                chapter, section = "", ""
            continue
        tags.pop()
        owner = tags[-1] if tags else None
        if owner is None:
            continue
        if tag == "name" and owner.tag == "diag":
            display = clean(elem.text).upper()
            diags[-1].code, diags[-1].display, diags[-1].line = (
                display.replace(".", ""),
                display,
                line,
            )
        elif tag == "name" and owner.tag == "chapter":
            chapter = clean(elem.text)
        elif tag == "desc" and owner.tag == "diag":
            diag = diags[-1]
            diag.description = clean(elem.text)
            # Licensed text first: a CPT code with its descriptor is refused as such.
            refuse_licensed_text(path, diag.line, diag.display, diag.description)
            if not ICD10CM_CODE.match(diag.display):
                raise DataFileError(path, NOT_A_CODE.format(code=diag.display), line=diag.line)
            guard.check(diag.code, diag.line)
        elif tag == "desc" and owner.tag == "chapter":
            out.headings.append(("chapter", chapter, "", clean(elem.text), len(out.headings)))
        elif tag == "desc" and owner.tag == "section":
            out.headings.append(("section", chapter, section, clean(elem.text), len(out.headings)))
        elif tag in NOTE_TYPES and owner.tag in {"diag", "chapter", "section"}:
            key = owner_key(owner, line)
            for note in elem.iter("note"):
                seq = note_seq[key, tag] = note_seq.get((key, tag), 0) + 1
                out.notes.append((key, tag, seq, clean("".join(note.itertext()))))
        elif tag == "sevenChrDef" and owner.tag == "diag":
            code = owner_key(owner, line)
            for ext in elem.iter("extension"):
                char = ext.get("char", "").strip().upper()
                if len(char) != 1 or not char.isalnum():
                    raise DataFileError(
                        path, BAD_SEVENTH.format(char=char, code=diags[-1].display), line=line
                    )
                meaning = clean(ext.text)
                diags[-1].seventh.append((char, meaning))
                out.seventh.append((code, char, meaning))
        elif tag == "diag":
            diag = diags.pop()
            if not diag.code:
                raise DataFileError(path, DIAG_WITHOUT_NAME, line=diag.line)
            if not diag.description:
                raise DataFileError(path, DIAG_WITHOUT_DESC.format(code=diag.display), line=line)
            out.diags.append(diag)
            elem.clear()
        elif tag in {"chapter", "section", "introduction"}:
            elem.clear()
    out.diags.sort(key=lambda d: d.seq)
    return out


def code_rows(path: Path, tabular: Tabular) -> Iterator[tuple[object, ...]]:
    """Code rows for every diag, each leaf under a sevenChrDef followed by its 7-character codes.

    A generated code is the leaf padded with X to 6 characters plus the 7th character; its
    description is the leaf's title, a comma and the 7th character's meaning (CDC convention).
    """
    by_code = {d.code: d for d in tabular.diags}
    guard = DuplicateGuard(path, "code")
    for diag in tabular.diags:
        guard.check(diag.code, diag.line)
    for diag in tabular.diags:
        seventh = _inherited_seventh(diag, by_code) if not diag.has_children else []
        is_billable = not diag.has_children and not seventh
        level = code_level(diag.code, is_billable)
        yield (
            CodeSystem.ICD10CM,
            diag.code,
            diag.display,
            "",
            diag.description,
            is_billable,
            level,
            diag.parent,
            diag.chapter,
            diag.section,
            NO_ATTRIBUTES,
        )
        stem = diag.code.ljust(6, "X")
        refused = {
            c for pattern, chars in SEVENTH_EXCEPTIONS if pattern.fullmatch(stem) for c in chars
        }
        for char, meaning in seventh:
            if char in refused:
                continue
            code = stem + char
            guard.check(code, diag.line)
            description = f"{diag.description}, {meaning}"
            yield (
                CodeSystem.ICD10CM,
                code,
                dotted(code),
                "",
                description,
                True,
                "code",
                diag.code,
                diag.chapter,
                diag.section,
                DERIVED_DESCRIPTION,
            )


def _inherited_seventh(diag: Diag, by_code: dict[str, Diag]) -> list[tuple[str, str]]:
    """The 7th characters declared nearest above a diag (or at it)."""
    current: Diag | None = diag
    while current is not None:
        if current.seventh:
            return current.seventh
        current = by_code.get(current.parent)
    return []


def load_tabular(ctx: LoadContext) -> dict[str, int]:
    tabular = parse_tabular(ctx.path)
    return {
        "codes": ctx.insert(CodeRow, CODE_FIELDS, code_rows(ctx.path, tabular)),
        "notes": ctx.insert(CodeNote, ("code", "note_type", "seq", "text"), tabular.notes),
        "seventh": ctx.insert(
            SeventhCharacter, ("code", "character", "description"), tabular.seventh
        ),
        "headings": ctx.insert(
            Heading, ("kind", "chapter", "code_range", "description", "seq"), tabular.headings
        ),
    }


def describe_tabular(path: Path) -> ReleaseInfo:
    """April files are the April update (Apr 1 - Sep 30); other files the whole fiscal year."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    found = re.fullmatch(TABULAR_NAME, name, flags=re.IGNORECASE)
    if not found:
        raise DataFileError(path, NO_YEAR)
    month = (found.group("month") or "").lower()
    return fiscal_year_release(int(found.group("year")), 4 if month.startswith("apr") else 10)


def matches_tabular(path: Path, header: list[str]) -> bool:
    return name_matches(path, TABULAR_NAME) and has_root(path, TABULAR_ROOT)


DATASETS = [
    Dataset(
        name="icd10cm_tabular",
        title="ICD-10-CM",
        code_system=CodeSystem.ICD10CM,
        matches=matches_tabular,
        describe=describe_tabular,
        load=load_tabular,
        order=10,
        is_large=True,
    ),
]

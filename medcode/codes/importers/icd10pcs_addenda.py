"""The CMS ICD-10-PCS addenda (codes_addenda_<year>.txt, order_addenda_<year>.txt).

They sit beside the codes and order files and say what an update changed: "Add:", "Delete:"
and "Revise from:"/"Revise to:" lines (code, then the long title; in the order addenda the
60-character short title comes first, as in the order file), then a summary that names the
files compared ("79115 codes in icd10pcs_codes_2026.txt" / "79193 codes in
icd10pcs_codes_2026.txt"). The same year on both sides means a mid-year (April 1) update of
that fiscal year's files; an October release's addenda compare with the previous year's file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcode.codes.importers.base import DuplicateGuard, run_paths
from medcode.lib.codeshapes import ICD10PCS_CHAR, ICD10PCS_CODE
from medcode.lib.datafiles import iter_lines
from medcode.lib.errors import DataFileError

ACTIONS = {"Add:": "add", "Delete:": "delete", "Revise from:": "from", "Revise to:": "to"}
CHANGE = re.compile(r"^(Add:|Delete:|Revise from:|Revise to:) +")
PCS_TABLE = re.compile(rf"^{ICD10PCS_CHAR}{{3}}$")
COMPARED = re.compile(r"^\s*(\d+) (codes|headers) in (\S+)\s*$")
SUMMARY = re.compile(
    r"^\s*(?:|Codes|Headers|of which|\d+ (?:additions|deletions|revisions)"
    r"|\d+ revisions to [a-z ]+)\s*$"
)
YEAR = re.compile(r"(20\d\d)")
# Columns (0-based) after the 13-character action field: code 13-19, a blank, then the titles.
CODE_AT, TITLE_AT, SHORT_WIDTH = 13, 21, 60

UNKNOWN_LINE = "not an addenda line (Add:, Delete:, Revise from:/to: or the summary): {text!r}"
BAD_CODE = "not an ICD-10-PCS code or table: {code!r}"
NO_TITLE = "{code} has no title"
BAD_BLANK = "column {column} should be blank"
UNPAIRED = "'Revise to:' {code} does not follow a 'Revise from:' line of the same code"
UNFINISHED = "'Revise from:' {code} has no 'Revise to:' line after it"
NO_SUMMARY = (
    "the summary does not name the two files compared ('<count> codes in <file>', twice): "
    "found {found}"
)
BAD_SUM = "{before} codes + {added} added - {deleted} deleted is not the {after} codes said after"
NOT_IN_FILE = "{code} is added in {addenda} but {file} does not list it"
STILL_IN_FILE = "{code} is deleted in {addenda} but {file} still lists it"
FILE_COUNT = "{addenda} says {after} codes in {name}, but {file} lists {count}"


@dataclass(frozen=True)
class Change:
    line: int
    code: str
    short: str
    long: str


@dataclass
class Addenda:
    """One addenda file, parsed."""

    path: Path
    is_order: bool
    added: dict[str, Change] = field(default_factory=dict)
    deleted: dict[str, Change] = field(default_factory=dict)
    revised_from: dict[str, Change] = field(default_factory=dict)
    revised_to: dict[str, Change] = field(default_factory=dict)
    # The summary's "<count> codes in <file>" lines: (line, count, file name).
    compared: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def is_april_update(self) -> bool:
        """Both files compared are of one year: the April update of that fiscal year."""
        before, after = (YEAR.search(name) for _, _, name in self.compared)
        return bool(before and after and before.group(1) == after.group(1))

    def names(self, path: Path) -> bool:
        """The summary's second file (the one as updated) is this file."""
        name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
        return self.compared[1][2].lower() == name.lower()


def addenda_of(path: Path) -> Addenda | None:
    """The addenda of a PCS codes or order file; None if none is found.

    Looked for beside the file, then in the folders of the import run's other paths (see
    base.import_run): data/icd10pcs_order_2026.txt.gz has its addenda in incoming/2026/. An
    addenda file is taken only when its summary names this file ("... codes in <name>", the
    name without .gz), so another file's addenda never date it.
    """
    is_codes = "codes" in path.name.lower()
    found = YEAR.search(path.name)
    if not found:
        return None
    name = f"{'codes' if is_codes else 'order'}_addenda_{found.group(1)}.txt"
    for candidate in _candidates(path.parent, name):
        addenda = parse_addenda(candidate, is_order=not is_codes)
        if addenda.names(path):
            return addenda
    return None


def _candidates(folder: Path, name: str) -> Iterator[Path]:
    seen: set[Path] = set()
    beside = [folder / name]
    elsewhere = (sorted(p.rglob(name)) if p.is_dir() else [p.parent / name] for p in run_paths())
    for candidate in (*beside, *(c for found in elsewhere for c in found)):
        key = candidate.resolve()
        if key not in seen and candidate.is_file():
            seen.add(key)
            yield candidate


def parse_addenda(path: Path, *, is_order: bool) -> Addenda:
    addenda = Addenda(path=path, is_order=is_order)
    pending: Change | None = None
    for number, line in iter_lines(path):
        action = CHANGE.match(line)
        if action is None:
            compared = COMPARED.match(line)
            if compared and compared.group(2) == "codes":
                addenda.compared.append((number, int(compared.group(1)), compared.group(3)))
            elif not compared and not SUMMARY.match(line):
                raise DataFileError(path, UNKNOWN_LINE.format(text=line[:80]), line=number)
            continue
        change = _change(path, number, line, is_order)
        kind = ACTIONS[action.group(1)]
        if kind == "to" and (pending is None or pending.code != change.code):
            raise DataFileError(path, UNPAIRED.format(code=change.code), line=number)
        if pending is not None and kind != "to":
            raise DataFileError(path, UNFINISHED.format(code=pending.code), line=pending.line)
        pending = change if kind == "from" else None
        target = {
            "add": addenda.added,
            "delete": addenda.deleted,
            "from": addenda.revised_from,
            "to": addenda.revised_to,
        }[kind]
        if change.code in target:
            raise DataFileError(
                path,
                f"duplicate {action.group(1)} {change.code} (first on line "
                f"{target[change.code].line})",
                line=number,
            )
        target[change.code] = change
    if pending is not None:
        raise DataFileError(path, UNFINISHED.format(code=pending.code), line=pending.line)
    _check_summary(addenda)
    return addenda


def _change(path: Path, number: int, text: str, is_order: bool) -> Change:
    code = text[CODE_AT:TITLE_AT].strip()
    if not (ICD10PCS_CODE.match(code) or (is_order and PCS_TABLE.match(code))):
        raise DataFileError(path, BAD_CODE.format(code=code), line=number)
    if text[TITLE_AT - 1 : TITLE_AT].strip():
        raise DataFileError(path, BAD_BLANK.format(column=TITLE_AT), line=number)
    short, long = "", text[TITLE_AT:].strip()
    if is_order:
        end = TITLE_AT + SHORT_WIDTH
        if text[end : end + 1].strip():
            raise DataFileError(path, BAD_BLANK.format(column=end + 1), line=number)
        short, long = text[TITLE_AT:end].strip(), text[end + 1 :].strip()
    if not long:
        raise DataFileError(path, NO_TITLE.format(code=code), line=number)
    return Change(number, code, short, long)


def _check_summary(addenda: Addenda) -> None:
    if len(addenda.compared) != 2:
        found = "; ".join(f"line {n}: {c} codes in {f}" for n, c, f in addenda.compared) or "none"
        raise DataFileError(addenda.path, NO_SUMMARY.format(found=found))
    (_, before, _), (line, after, _) = addenda.compared
    added = sum(1 for code in addenda.added if len(code) == 7)
    deleted = sum(1 for code in addenda.deleted if len(code) == 7)
    if before + added - deleted != after:
        message = BAD_SUM.format(before=before, added=added, deleted=deleted, after=after)
        raise DataFileError(addenda.path, message, line=line)


def check_against_file(addenda: Addenda, path: Path, codes: set[str]) -> None:
    """The file is the one the addenda describe: what they add is there, what they delete not."""
    where = {"addenda": addenda.path.name, "file": path.name}
    for code, change in addenda.added.items():
        if code not in codes:
            message = NOT_IN_FILE.format(code=code, **where)
            raise DataFileError(addenda.path, message, line=change.line)
    for code, change in addenda.deleted.items():
        if code in codes:
            message = STILL_IN_FILE.format(code=code, **where)
            raise DataFileError(addenda.path, message, line=change.line)
    for code, change in addenda.revised_to.items():
        if code not in codes:
            raise DataFileError(
                addenda.path, NOT_IN_FILE.format(code=code, **where), line=change.line
            )
    line, after, name = addenda.compared[1]
    count = sum(1 for code in codes if len(code) == 7)
    if count != after:
        message = FILE_COUNT.format(after=after, name=name, count=count, **where)
        raise DataFileError(addenda.path, message, line=line)


RowMaker = Callable[..., tuple[object, ...]]


def october_rows(
    addenda: Addenda, rows: Iterable[tuple[object, ...]], make_row: RowMaker
) -> Iterator[tuple[object, ...]]:
    """The October release's code rows: the April file less the April additions, with the
    codes April deleted (titles from the addenda) and the titles April revised as they were.

    Rows are Code tuples (system, code, display, short, long, ...) as the PCS parsers give them.
    """
    for row in rows:
        code = str(row[1])
        if code in addenda.added:
            continue
        old = addenda.revised_from.get(code)
        if old is not None:
            row = (*row[:3], old.short, old.long, *row[5:])
        yield row
    guard = DuplicateGuard(addenda.path, "deleted code")
    for code, change in addenda.deleted.items():
        is_code = len(code) == 7
        yield make_row(
            addenda.path,
            change.line,
            code,
            change.short,
            change.long,
            guard,
            flag="1" if is_code else "0",
            parent=code[:3] if addenda.is_order and is_code else "",
        )

"""The Medicare Code Editor (MCE) edit lists, read from the text of CMS's definitions manual.

`Definitions_of_Medicare_Code_Edits_v_<major>_<minor>.txt` is the manual ("Definitions of
Medicare Code Edits", ICD-10 version) as text, Windows-1252 encoded. Chapter 1 lists the edits
("1. Invalid diagnosis or procedure code" ... "20. Unspecified code"), then describes each
under the same heading; sub-lists are lettered ("C. Maternity diagnoses (age 9 through 64)")
or captioned ("Procedures", "Diagnoses"). A listed code is a line `CODE<TAB>short title`, an
asterisk before the code marks a note (edit 9: acceptable with a secondary diagnosis).
Chapter 2 (changes since the last release) and the index are not lists of the edits.

Each list the manual holds is declared in LISTS (which edit, which code set, what it means);
a code list under a heading LISTS does not know is an error, so a new manual layout cannot
slip codes into the wrong list. The manual states no totals; the parse is checked instead by
the real-file test (every code-shaped line of chapter 1 is in one list, every code is in the
FY2026 code sets, the codes chapter 2 says were removed are absent).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
)
from medcode.codes.models import CodeSystem, MceListing, ReferenceRow
from medcode.lib.codeshapes import ICD10CM_STORED_CODE, ICD10PCS_CODE
from medcode.lib.datafiles import iter_lines
from medcode.lib.errors import DataFileError

ENCODING = "cp1252"
FILE_NAME = r"Definitions_of_Medicare_Code_Edits_v_?(\d+)_(\d+)\.txt"
TITLE = "Definitions of Medicare Code Edits"
VERSION_LINE = re.compile(r"^v(\d+\.\d+) ([A-Z][a-z]+) (\d{4})$")
CHAPTER_1 = "Chapter 1: Edit code lists"
CHAPTER_2 = "Chapter 2: Code list changes"
EDIT_SUMMARY = "Below is a list of edits described in this chapter."
NUMBERED = re.compile(r"^(\d{1,2})\. (.+)$")
LETTERED = re.compile(r"^([A-Z])\. (.+)$")
CODE_LINE = re.compile(r"^(\*?)([0-9A-Z]{3,7})\s*\t(.*)$")
AGE_BULLET = re.compile(
    r"^\*\s*([A-Za-z/]+)\.\s*Age (?:range is )?(\d+)(?:\s*(?:-|–|through|to)\s*(\d+))?"
    r" years?"
)
AGE_HEADING = re.compile(r"\(age (\d+) through (\d+)\)")
PANCREAS_CODES = re.compile(r"pancreas transplants \(([0-9A-Z, ]+)\)")
MONTHS = {calendar.month_name[i]: i for i in range(1, 13)}


@dataclass(frozen=True)
class ListSpec:
    """One code list of the manual: where it is and what a code on it means."""

    edit: str  # the manual's number and letter, "4C"
    caption: str  # the caption (or numbered sub-list) the list follows, by its start
    key: str
    system: str
    title: str


CM, PCS = CodeSystem.ICD10CM, CodeSystem.ICD10PCS
LISTS = (
    ListSpec("4A", "", "age_perinatal", CM, "Age conflict: perinatal/newborn diagnosis"),
    ListSpec("4B", "", "age_pediatric", CM, "Age conflict: pediatric diagnosis"),
    ListSpec("4C", "", "age_maternity", CM, "Age conflict: maternity diagnosis"),
    ListSpec("4D", "", "age_adult", CM, "Age conflict: adult diagnosis"),
    ListSpec("6", "Manifestation codes", "manifestation_pdx", CM,
             "Manifestation code as principal diagnosis"),
    ListSpec("8A", "Questionable admission codes", "questionable_admission", CM,
             "Questionable admission (principal diagnosis)"),
    ListSpec("8B", "1. Cesarean", "questionable_obstetric_cesarean", PCS,
             "Questionable obstetric admission: cesarean section procedure"),
    ListSpec("8B", "2. Vaginal", "questionable_obstetric_vaginal", PCS,
             "Questionable obstetric admission: vaginal delivery procedure"),
    ListSpec("8B", "3. Outcome of delivery", "outcome_of_delivery", CM,
             "Questionable obstetric admission: outcome of delivery diagnosis"),
    ListSpec("9", "Unacceptable principal diagnosis codes", "unacceptable_pdx", CM,
             "Unacceptable principal diagnosis"),
    ListSpec("11A", "Procedure", "noncovered", PCS, "Non-covered procedure"),
    ListSpec("11B", "Diagnoses", "noncovered_pancreas_diagnoses", CM,
             "Non-covered procedure: diagnosis that allows a pancreas transplant"),
    ListSpec("11D", "Procedures", "noncovered_with_diagnoses", PCS,
             "Non-covered procedure when a listed diagnosis is present"),
    ListSpec("11D", "Diagnoses", "noncovered_with_diagnoses_dx", CM,
             "Non-covered procedure: diagnosis that makes the listed procedures non-covered"),
    ListSpec("11F", "Procedure", "noncovered_over_60", PCS,
             "Non-covered procedure when the beneficiary is over age 60"),
    ListSpec("11G", "Procedure", "noncovered_without_sterilization", PCS,
             "Non-covered procedure when Z30.2 (sterilization) is a diagnosis"),
    ListSpec("17A", "", "limited_coverage", PCS, "Limited coverage procedure"),
    ListSpec("18", "Wrong procedure", "wrong_procedure", CM, "Wrong procedure performed"),
    ListSpec("19", "", "procedure_inconsistent_with_los", PCS,
             "Procedure inconsistent with length of stay"),
    ListSpec("20", "", "unspecified_laterality", CM,
             "Unspecified code (laterality: a more specific code exists)"),
)  # fmt: skip
# The note in edit 9 repeats the asterisked code(s) before the list (not a list of its own).
NOTE_EDITS = {"9"}
# 11B's procedures are named in its text, not listed: "pancreas transplants (0FYG0Z0, ...)".
PANCREAS_LIST = ListSpec(
    "11B",
    "",
    "noncovered_pancreas_transplant",
    PCS,
    "Non-covered procedure: pancreas transplant without a kidney transplant",
)
MCE_FIELDS = ("edit", "list_key", "system", "code", "age_low", "age_high", "attributes")

NOT_THE_MANUAL = f'the first lines do not name "{TITLE}" and its version (v43.1 April 2026)'
NO_CHAPTER = f'no "{CHAPTER_1}" chapter after the table of contents'
NO_EDIT_LIST = f'chapter 1 does not open with its list of edits ("{EDIT_SUMMARY}")'
UNKNOWN_LIST = (
    "codes under a heading no MCE list is declared for (edit {edit}, caption {caption!r})"
)
WRONG_SHAPE = "{code!r} on the list {key} is not an {system} code"
NO_AGES = "no age range for the age-conflict list {edit} ({title!r})"
AGES_DISAGREE = "the heading says age {heading}, the edit's description says {bullet}"
NOTE_DISAGREES = "the asterisked codes {listed} differ from the codes the note names {noted}"
NO_PANCREAS_CODES = "11B: no pancreas transplant codes named in its text"


@dataclass
class _Run:
    """A run of code lines and where the manual put it."""

    edit: str
    caption: str
    line: int
    prose: list[str]
    codes: list[tuple[int, str, bool]]  # (line, code, asterisk)


def _spec(edit: str, caption: str) -> ListSpec | None:
    for spec in LISTS:
        if spec.edit == edit and caption.startswith(spec.caption):
            return spec
    return None


def describe(path: Path) -> ReleaseInfo:
    for number, line in iter_lines(path, encoding=ENCODING):
        found = VERSION_LINE.match(line.strip())
        if found and found.group(2) in MONTHS:
            year, month = int(found.group(3)), MONTHS[found.group(2)]
            return ReleaseInfo(
                version_label=f"v{found.group(1)} ({found.group(2)} {year})",
                effective_from=dt.date(year, month, 1),
            )
        if number > 20:
            break
    raise DataFileError(path, NOT_THE_MANUAL, line=1)


def _runs(path: Path) -> tuple[list[_Run], dict[str, tuple[int, int]], dict[str, str]]:
    """The code runs of chapter 1, the age ranges of edit 4, and each sub-list's title."""
    edits: dict[int, str] = {}
    state = "contents"  # contents -> summary -> body
    edit, caption = "", ""
    prose: list[str] = []
    run: _Run | None = None
    runs: list[_Run] = []
    bullets: dict[str, tuple[int, int]] = {}
    titles: dict[str, str] = {}
    current = 0
    for number, raw in iter_lines(path, encoding=ENCODING):
        text = raw.strip()
        if state == "contents":
            state = "chapter" if text == CHAPTER_1 else state
            continue
        if text.startswith(CHAPTER_2) and "\t" not in raw:
            break
        numbered = NUMBERED.match(text)
        if state == "chapter":
            if text == EDIT_SUMMARY:
                state = "summary"
            elif text:
                raise DataFileError(path, NO_EDIT_LIST, line=number)
            continue
        if state == "summary":
            if numbered and int(numbered.group(1)) not in edits:
                edits[int(numbered.group(1))] = numbered.group(2)
                continue
            if not text:
                continue
            state = "body"
        is_edit = numbered and edits.get(int(numbered.group(1))) == numbered.group(2)
        if numbered and is_edit and int(numbered.group(1)) > current:
            current = int(numbered.group(1))
            edit, caption, prose, run = str(current), "", [], None
            titles[edit] = numbered.group(2)
            continue
        code = CODE_LINE.match(raw)
        if code:
            if run is None:
                run = _Run(edit, caption, number, list(prose), [])
                runs.append(run)
            run.codes.append((number, code.group(2), code.group(1) == "*"))
            continue
        run = None
        if not text:
            continue
        bullet = AGE_BULLET.match(text)
        if bullet and current == 4:
            low = int(bullet.group(2))
            bullets[bullet.group(1).lower()] = (low, int(bullet.group(3) or low))
        lettered = LETTERED.match(text)
        if lettered and current:
            # "C. Maternity diagnoses (...)" is a heading; "A. Some diagnoses are ..." prose.
            heading = lettered.group(2)
            is_prose = len(heading) >= 70 or heading.endswith((".", ":"))
            edit, caption, prose = (
                f"{current}{lettered.group(1)}",
                "",
                [heading] if is_prose else [],
            )
            titles[edit] = heading
            continue
        if len(text) < 70 and not text.endswith((".", ":")):
            caption = text
        else:
            prose.append(text)
    if state != "body":
        raise DataFileError(path, NO_CHAPTER if state == "contents" else NO_EDIT_LIST)
    return runs, bullets, titles


def _ages(
    path: Path, run: _Run, title: str, bullets: dict[str, tuple[int, int]]
) -> tuple[int, int]:
    named = next((ages for name, ages in bullets.items() if title.lower().startswith(name)), None)
    heading = AGE_HEADING.search(title)
    stated = (int(heading.group(1)), int(heading.group(2))) if heading else None
    if named and stated and named != stated:
        message = AGES_DISAGREE.format(heading=stated, bullet=named)
        raise DataFileError(path, message, line=run.line)
    ages = named or stated
    if ages is None:
        raise DataFileError(path, NO_AGES.format(edit=run.edit, title=title), line=run.line)
    return ages


def parse_mce(path: Path) -> Iterator[tuple[str, object]]:
    """("list", metadata) and ("code", MCE_FIELDS row) items, in the manual's order."""
    runs, bullets, titles = _runs(path)
    noted: set[str] = set()
    starred: set[str] = set()
    for run in runs:
        if run.edit in NOTE_EDITS and not run.caption:
            noted.update(code for _, code, _ in run.codes)
            continue
        spec = _spec(run.edit, run.caption)
        if spec is None:
            message = UNKNOWN_LIST.format(edit=run.edit, caption=run.caption)
            raise DataFileError(path, message, line=run.line)
        title = titles.get(run.edit, "")
        ages = _ages(path, run, title, bullets) if spec.edit.startswith("4") else None
        yield "list", _metadata(spec, run, title, ages, len(run.codes))
        if spec.edit == "11B":
            yield from _pancreas(path, run)
        guard = DuplicateGuard(path, f"code on the list {spec.key}")
        shape = ICD10CM_STORED_CODE if spec.system == CM else ICD10PCS_CODE
        for line, code, asterisk in run.codes:
            if not shape.match(code):
                message = WRONG_SHAPE.format(code=code, key=spec.key, system=spec.system)
                raise DataFileError(path, message, line=line)
            guard.check(code, line)
            attributes: dict[str, object] = {}
            if asterisk and spec.edit in NOTE_EDITS:
                attributes["requires_secondary_dx"] = True
                starred.add(code)
            low, high = ages if ages else (None, None)
            yield "code", (spec.edit, spec.key, spec.system, code, low, high, attributes)
    if noted != starred:
        message = NOTE_DISAGREES.format(listed=sorted(starred), noted=sorted(noted))
        raise DataFileError(path, message)


def _metadata(
    spec: ListSpec, run: _Run, title: str, ages: tuple[int, int] | None, count: int
) -> dict[str, object]:
    return {
        "list_key": spec.key,
        "edit": spec.edit,
        "system": spec.system,
        "title": spec.title,
        "manual_heading": title,
        "caption": run.caption,
        "condition": " ".join(run.prose),
        "age_low": ages[0] if ages else None,
        "age_high": ages[1] if ages else None,
        "codes": count,
        "line": run.line,
    }


def _pancreas(path: Path, run: _Run) -> Iterator[tuple[str, object]]:
    text = " ".join(run.prose)
    found = PANCREAS_CODES.search(text)
    codes = [c.strip() for c in found.group(1).split(",")] if found else []
    if not codes or not all(ICD10PCS_CODE.match(c) for c in codes):
        raise DataFileError(path, NO_PANCREAS_CODES, line=run.line)
    spec = PANCREAS_LIST
    yield "list", _metadata(spec, run, "", None, len(codes))
    for code in codes:
        yield "code", (spec.edit, spec.key, spec.system, code, None, None, {})


def load_mce(ctx: LoadContext) -> dict[str, int]:
    lists: list[tuple[str, object]] = []
    codes: list[tuple[object, ...]] = []
    for kind, item in parse_mce(ctx.path):
        if kind == "list":
            lists.append(("mce_list", item))
        else:
            assert isinstance(item, tuple)
            codes.append(item)
    return {
        "mce_codes": ctx.insert(MceListing, MCE_FIELDS, codes),
        "mce_lists": ctx.insert(ReferenceRow, ("key", "data"), lists),
    }


def matches(path: Path, header: list[str]) -> bool:
    if not name_matches(path, FILE_NAME):
        return False
    try:
        describe(path)
    except (DataFileError, UnicodeDecodeError):
        return False
    return True


DATASETS = [
    Dataset(
        name="mce_edits",
        title="Medicare Code Editor (MCE) edit lists",
        code_system="",
        matches=matches,
        describe=describe,
        load=load_mce,
        order=40,
    ),
]

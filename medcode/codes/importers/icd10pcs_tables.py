"""The CMS ICD-10-PCS tables and definitions XML files: the label of every axis value.

- `icd10pcs_tables_<YYYY>.xml` (`ICD10PCS.tabular`): one `pcsTable` per first three characters
  (section, body system, operation, each an `axis` with one `label`, the operation with its
  `definition`), and per table `pcsRow`s holding the labels of axes 4-7 (body part, approach,
  device, qualifier; other names outside Medical and Surgical). A row's `codes` is the
  number of codes it builds: the product of its axes' value counts, checked here.
- `icd10pcs_definitions_<YYYY>.xml` (`ICD10PCS.definitions`): per section and axis, the terms
  with their definition, explanation and includes (operations, approaches, devices, ...). A
  term of the Body Part Key names every value it holds ("1st Toe, Left", "1st Toe, Right"),
  each with its own <title>: all are kept (`titles`), and the includes one by one
  (`included`), so search can read the anatomical terms they list (search/pcs_keys.py).

Both are kept as reference rows: `pcs_table:<3 characters>` and
`pcs_definitions:<section>:<position>`.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, parse
from xml.parsers import expat

from medcode.codes.importers.base import Dataset, LoadContext, ReleaseInfo, name_matches
from medcode.codes.importers.icd10cm_csv import fiscal_year_release
from medcode.codes.models import ReferenceRow
from medcode.lib.codeshapes import ICD10PCS_CHAR
from medcode.lib.datafiles import is_gzip
from medcode.lib.errors import DataFileError

TABLES_NAME = r"icd10pcs_tables_(20\d\d)\.xml"
DEFINITIONS_NAME = r"icd10pcs_definitions_(20\d\d)\.xml"
TABLES_ROOT = "ICD10PCS.tabular"
DEFINITIONS_ROOT = "ICD10PCS.definitions"
PCS_CHAR = re.compile(rf"^{ICD10PCS_CHAR}$")

NOT_XML = "not well-formed XML ({error})"
WRONG_ROOT = "the root element is <{found}>, not <{expected}>"
NO_VERSION = "no <version> year"
BAD_AXIS = "table {table}: axis {pos} needs one label with a one-character code"
BAD_ROW = "table {table}, row {row}: {problem}"
BAD_COUNT = "says it builds {stated} codes; its axes build {counted}"
DUPLICATE_TABLE = "table {table} appears twice"
BAD_DEFINITION_AXIS = "section {section}: an axis without a position or title"
BAD_TERM = "section {section}, axis {pos}: a term without a title"


def _open(path: Path) -> Any:
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def _root(path: Path, expected: str) -> Element:
    try:
        with _open(path) as fh:
            root = parse(fh).getroot()
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise DataFileError(path, NOT_XML.format(error=exc), line=line) from exc
    except (OSError, EOFError) as exc:
        raise DataFileError(path, NOT_XML.format(error=exc)) from exc
    if root.tag != expected:
        raise DataFileError(path, WRONG_ROOT.format(found=root.tag, expected=expected), line=1)
    return root


def _labels(axis: Element) -> dict[str, str]:
    return {label.get("code", ""): (label.text or "").strip() for label in axis.findall("label")}


def parse_tables(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    seen: set[str] = set()
    for table in _root(path, TABLES_ROOT).findall("pcsTable"):
        head: list[dict[str, object]] = []
        for axis in table.findall("axis"):
            labels = _labels(axis)
            pos = axis.get("pos", "?")
            if len(labels) != 1 or not all(PCS_CHAR.match(c) for c in labels):
                so_far = "".join(str(a["code"]) for a in head) or "?"
                raise DataFileError(path, BAD_AXIS.format(table=so_far, pos=pos))
            ((code, label),) = labels.items()
            entry: dict[str, object] = {
                "pos": int(pos),
                "title": (axis.findtext("title") or "").strip(),
                "code": code,
                "label": label,
            }
            definition = (axis.findtext("definition") or "").strip()
            if definition:
                entry["definition"] = definition
            head.append(entry)
        key = "".join(str(a["code"]) for a in head)
        if [a["pos"] for a in head] != [1, 2, 3]:
            raise DataFileError(path, BAD_AXIS.format(table=key or "?", pos="1-3"))
        if key in seen:
            raise DataFileError(path, DUPLICATE_TABLE.format(table=key))
        seen.add(key)
        rows = []
        for number, row in enumerate(table.findall("pcsRow"), start=1):
            axes: dict[str, dict[str, object]] = {}
            counted = 1
            for axis in row.findall("axis"):
                labels = _labels(axis)
                if not labels or not all(PCS_CHAR.match(c) for c in labels):
                    problem = f"axis {axis.get('pos')} has no labels or a bad value"
                    raise DataFileError(
                        path, BAD_ROW.format(table=key, row=number, problem=problem)
                    )
                axes[axis.get("pos", "?")] = {
                    "title": (axis.findtext("title") or "").strip(),
                    "labels": labels,
                }
                counted *= len(labels)
            if sorted(axes) != ["4", "5", "6", "7"]:
                problem = f"axes {sorted(axes)} instead of 4-7"
                raise DataFileError(path, BAD_ROW.format(table=key, row=number, problem=problem))
            stated = int(row.get("codes") or counted)
            if stated != counted:
                problem = BAD_COUNT.format(stated=stated, counted=counted)
                raise DataFileError(path, BAD_ROW.format(table=key, row=number, problem=problem))
            rows.append({"codes": counted, "axes": axes})
        yield f"pcs_table:{key}", {"table": key, "axes": head, "rows": rows}


def _root_with_lines(path: Path, expected: str) -> tuple[Element, dict[int, int]]:
    """The root element and the line each element starts on (keyed by id), for errors that
    name the line; ElementTree keeps no line numbers."""
    builder = TreeBuilder()
    parser = expat.ParserCreate()
    lines: dict[int, int] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        lines[id(builder.start(tag, attributes))] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        with _open(path) as fh:
            parser.ParseFile(fh)
        root = builder.close()
    except expat.ExpatError as exc:
        raise DataFileError(path, NOT_XML.format(error=exc), line=exc.lineno) from exc
    except (OSError, EOFError) as exc:
        raise DataFileError(path, NOT_XML.format(error=exc)) from exc
    if root.tag != expected:
        raise DataFileError(path, WRONG_ROOT.format(found=root.tag, expected=expected), line=1)
    return root, lines


def parse_definitions(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    root, lines = _root_with_lines(path, DEFINITIONS_ROOT)
    for section in root.findall("section"):
        code = section.get("code", "")
        for axis in section.findall("axis"):
            pos, title = axis.get("pos", ""), (axis.findtext("title") or "").strip()
            if not pos or not title:
                line = lines.get(id(axis))
                raise DataFileError(path, BAD_DEFINITION_AXIS.format(section=code), line=line)
            terms = []
            for term in axis.findall("terms"):
                titles = [(t.text or "").strip() for t in term.findall("title")]
                titles = [t for t in titles if t]
                if not titles:
                    problem = BAD_TERM.format(section=code, pos=pos)
                    raise DataFileError(path, problem, line=lines.get(id(term)))
                entry: dict[str, object] = {"title": titles[0], "titles": titles}
                for part in ("definition", "explanation", "includes"):
                    texts = [(t.text or "").strip() for t in term.findall(part)]
                    if any(texts):
                        entry[part] = "; ".join(t for t in texts if t)
                included = [(t.text or "").strip() for t in term.findall("includes")]
                if any(included):
                    entry["included"] = [t for t in included if t]
                terms.append(entry)
            yield (
                f"pcs_definitions:{code}:{pos}",
                {
                    "section": code,
                    "section_title": (section.findtext("title") or "").strip(),
                    "pos": int(pos),
                    "axis_title": title,
                    "terms": terms,
                },
            )


def load_tables(ctx: LoadContext) -> dict[str, int]:
    return {"pcs_tables": ctx.insert(ReferenceRow, ("key", "data"), parse_tables(ctx.path))}


def load_definitions(ctx: LoadContext) -> dict[str, int]:
    rows = parse_definitions(ctx.path)
    return {"pcs_definitions": ctx.insert(ReferenceRow, ("key", "data"), rows)}


def _describe(expected: str) -> Callable[[Path], ReleaseInfo]:
    def describe(path: Path) -> ReleaseInfo:
        version = (_root(path, expected).findtext("version") or "").strip()
        if not re.fullmatch(r"20\d\d", version):
            raise DataFileError(path, NO_VERSION)
        return fiscal_year_release(int(version))

    return describe


def _matcher(pattern: str, expected: str) -> Callable[[Path, list[str]], bool]:
    def matches(path: Path, header: list[str]) -> bool:
        if not name_matches(path, pattern):
            return False
        try:
            with _open(path) as fh:
                head = fh.read(400).decode("utf-8", "replace")
        except (OSError, EOFError):
            return False
        return f"<{expected}>" in head

    return matches


DATASETS = [
    Dataset(
        name="icd10pcs_tables",
        title="ICD-10-PCS tables (CMS)",
        code_system="",
        matches=_matcher(TABLES_NAME, TABLES_ROOT),
        describe=_describe(TABLES_ROOT),
        load=load_tables,
        order=40,
    ),
    Dataset(
        name="icd10pcs_definitions",
        title="ICD-10-PCS definitions (CMS)",
        code_system="",
        matches=_matcher(DEFINITIONS_NAME, DEFINITIONS_ROOT),
        describe=_describe(DEFINITIONS_ROOT),
        load=load_definitions,
        order=40,
    ),
]

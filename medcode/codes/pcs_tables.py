"""Reads of the ICD-10-PCS tables and definitions: a code's seven axes with CMS's labels.

The table (first three characters) gives section, body system and operation (with its
definition); the table row whose values hold characters 4-7 gives their labels. Definitions
(importers/icd10pcs_tables.py) add the meaning of a label where CMS defines it: operations and
approaches are defined, body parts and devices have "includes" lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from medcode.codes import sql
from medcode.codes.catalog import ReleaseCatalog, derived, release_catalog
from medcode.codes.models import ReferenceRow, Release
from medcode.codes.page.panels import Panel, Source, Table


@dataclass(frozen=True)
class PcsAxis:
    pos: int
    title: str  # "Body Part", "Approach", ...
    char: str
    label: str
    definition: str = ""
    # Where the label was read when no table row builds the code: "" (the code's own table
    # row or table), else e.g. "other rows of table 02H"; blank label: nothing says.
    read_from: str = ""


@dataclass(frozen=True)
class PcsReading:
    """A PCS code read through the tables: all seven axes when a table row holds the code.

    A code newer than the loaded tables file (CMS adds codes on April 1 and publishes the
    tables yearly) has no row, or no table: characters 4-7 are then read where they have one
    label in the other rows of its table, characters 1-3 where the other tables name them, and
    `is_in_tables` is False so the page says the row is not in the loaded release.
    """

    code: str
    axes: tuple[PcsAxis, ...]
    is_in_tables: bool  # False: no row (or no table) of the loaded release builds the code
    source: Source
    definitions_source: Source | None
    has_table: bool = True  # False: not even the code's table (first 3 characters) is loaded


def _release(table: str, on: dt.date, catalog: ReleaseCatalog) -> Release | None:
    releases = catalog.in_force(table, on)
    return releases[-1] if releases else None


def _definitions(release: Release) -> dict[tuple[str, int], dict[str, dict[str, str]]]:
    """(section, position) -> term title (lower case) -> its definition parts; once a release."""
    key = ("pcs_definitions", release.pk)
    cached = derived.get(key)
    if cached is None:
        cached = {}
        for data in ReferenceRow.objects.filter(
            release_id=release.pk, key__startswith="pcs_definitions:"
        ).values_list("data", flat=True):
            # A Body Part Key term names each value it holds ("1st Toe, Left", "1st Toe,
            # Right"); rows imported before `titles` was kept name the first only.
            terms = {
                str(title).lower(): t
                for t in data.get("terms", [])
                for title in t.get("titles", [t["title"]])
            }
            cached[(str(data["section"]), int(data["pos"]))] = terms
        derived[key] = cached
    return dict(cached)


def _meaning(term: dict[str, Any] | None) -> str:
    if not term:
        return ""
    if term.get("definition"):
        return str(term["definition"])
    return f"Includes: {term['includes']}" if term.get("includes") else ""


def pcs_reading(code: str, on: dt.date, catalog: ReleaseCatalog | None = None) -> PcsReading | None:
    """The axes of a 7-character PCS code (or a 3-character table) from the loaded tables.

    None when no tables release is in force on `on`, or when nothing in it names the code's
    section and body system.
    """
    code = code.upper()
    catalog = catalog or release_catalog()
    release = _release("pcs_tables", on, catalog)
    if release is None or len(code) < 3:
        return None
    # Written out (medcode.codes.sql): the ORM's building cost more than running it.
    found = sql.select(
        ReferenceRow,
        'SELECT data FROM {table} WHERE release_id = %s AND "key" = %s ORDER BY id LIMIT 1',
        [release.pk, f"pcs_table:{code[:3]}"],
    )
    data = sql.json_value(found[0][0]) if found else None
    neighbours: list[dict[str, Any]] = []
    if data is None:  # a table newer than the file: read what its section and body system say
        neighbours = list(
            ReferenceRow.objects.filter(
                release_id=release.pk, key__startswith=f"pcs_table:{code[:2]}"
            ).values_list("data", flat=True)
        ) + list(_operation_tables(release, code))
        if not neighbours:
            return None
    definitions_release = _release("pcs_definitions", on, catalog)
    terms = _definitions(definitions_release) if definitions_release else {}
    section = code[0]

    def defined(pos: int, label: str, given: str = "") -> str:
        return given or _meaning(terms.get((section, pos), {}).get(label.lower()))

    row = None
    if data is not None:
        axes = [
            PcsAxis(
                int(a["pos"]),
                str(a["title"]),
                str(a["code"]),
                str(a["label"]),
                defined(int(a["pos"]), str(a["label"]), str(a.get("definition", ""))),
            )
            for a in data["axes"]
        ]
        row = next(
            (
                r
                for r in data["rows"]
                if len(code) == 7
                and all(code[int(pos) - 1] in axis["labels"] for pos, axis in r["axes"].items())
            ),
            None,
        )
    else:
        axes = [_axis_of_other_tables(code, pos, neighbours, defined) for pos in (1, 2, 3)]
    if row is not None:
        for pos in ("4", "5", "6", "7"):
            axis = row["axes"][pos]
            label = str(axis["labels"][code[int(pos) - 1]])
            axes.append(PcsAxis(int(pos), str(axis["title"]), code[int(pos) - 1], label,
                                defined(int(pos), label)))  # fmt: skip
    elif len(code) == 7 and data is not None:
        where = f"other rows of table {code[:3]}"
        for n in (4, 5, 6, 7):
            axes.append(_axis_of_other_rows(code, n, data["rows"], where, defined))
    elif len(code) == 7:
        # Within one table a character means one thing at a position; across tables it does
        # not (a device value depends on the operation): no labels for characters 4-7.
        for n in (4, 5, 6, 7):
            titles = {
                str(r["axes"][str(n)]["title"])
                for t in neighbours
                for r in t["rows"]
                if str(n) in r["axes"]
            }
            axes.append(PcsAxis(n, titles.pop() if len(titles) == 1 else "", code[n - 1], ""))
    sources = catalog.sources
    return PcsReading(
        code=code,
        axes=tuple(axes),
        is_in_tables=row is not None,
        source=sources[release.pk],
        definitions_source=sources[definitions_release.pk] if definitions_release else None,
        has_table=data is not None,
    )


def _operation_tables(release: Release, code: str) -> list[dict[str, Any]]:
    """Tables of the code's section with the same third character (its operation)."""
    return [
        data
        for key, data in ReferenceRow.objects.filter(
            release_id=release.pk, key__startswith=f"pcs_table:{code[0]}"
        ).values_list("key", "data")
        if key.endswith(code[2]) and not key.endswith(code[:3])
    ]


def _axis_of_other_tables(
    code: str, pos: int, tables: list[dict[str, Any]], defined: Any
) -> PcsAxis:
    """Section, body system or operation as the other tables sharing that character name it:
    the section's tables, those of the same body system, those of the same operation."""
    shared = {1: (0,), 2: (0, 1), 3: (0, 2)}[pos]
    found = {
        (str(a["title"]), str(a["label"]), str(a.get("definition", "")))
        for t in tables
        if all(str(t["table"])[i] == code[i] for i in shared)
        for a in t["axes"]
        if int(a["pos"]) == pos
    }
    if len({label for _, label, _ in found}) != 1:
        return PcsAxis(pos, ("Section", "Body System", "Operation")[pos - 1], code[pos - 1], "")
    title, label, definition = found.pop()
    return PcsAxis(
        pos, title, code[pos - 1], label, defined(pos, label, definition), "other tables"
    )


def _axis_of_other_rows(
    code: str, pos: int, rows: list[dict[str, Any]], where: str, defined: Any
) -> PcsAxis:
    """Characters 4-7 of a code no row builds: the label the same character has in the given
    rows, when they all agree; blank when none has it or they disagree."""
    char = code[pos - 1]
    axes = [r["axes"][str(pos)] for r in rows if str(pos) in r["axes"]]
    labels = {str(a["labels"][char]) for a in axes if char in a["labels"]}
    title = str(axes[0]["title"]) if axes else ""
    if len(labels) != 1:
        return PcsAxis(pos, title, char, "")
    label = labels.pop()
    return PcsAxis(pos, title, char, label, defined(pos, label), where)


PCS_AXES_SUMMARY = (
    "Each of the seven characters is an axis of the procedure; the labels are those of the "
    "ICD-10-PCS table that builds this code, the definitions CMS's (operations and "
    "approaches defined, body parts and devices with what they include)."
)


NO_TABLE_ROW = (
    "{code} is in the loaded code list ({codes}), but no row of the loaded ICD-10-PCS tables "
    "({tables}) builds it: the code list is newer than the tables file, so CMS's table row for "
    "this code is not in the loaded release. Shown here is what is known without it: the "
    "code's title, and the label each character has in the other rows of table {table} "
    "(blank where they do not give it one)."
)
NO_TABLE = (
    "{code} is in the loaded code list ({codes}), but its table {table} is not in the loaded "
    "ICD-10-PCS tables ({tables}): the code list is newer than the tables file. Shown here is "
    "what is known without it: the code's title, which spells out characters 4 to 7, and the "
    "section, body system and operation as the release's other tables name them."
)


def _named(source: Source) -> str:
    """A release as pages name it (its file stays in the panel's JSON source)."""
    return f"{source.title} {source.version_label}"


def pcs_axes_panel(reading: PcsReading, as_of: dt.date, *, codes: Source | None = None) -> Panel:
    """The 'ICD-10-PCS code structure' panel, read through the tables."""
    caption = "Characters"
    if reading.definitions_source is not None:
        caption += f" (definitions: {_named(reading.definitions_source)})"
    columns: tuple[str, ...] = ("Position", "Axis", "Character", "Meaning", "Definition")
    rows: tuple[tuple[str, ...], ...] = tuple(
        (str(a.pos), a.title, a.char, a.label, a.definition) for a in reading.axes
    )
    summary = PCS_AXES_SUMMARY
    if not reading.is_in_tables:
        summary = (NO_TABLE_ROW if reading.has_table else NO_TABLE).format(
            code=reading.code,
            codes=_named(codes) if codes is not None else "ICD-10-PCS",
            tables=_named(reading.source),
            table=reading.code[:3],
        )
        columns += ("Label read from",)
        rows = tuple(
            (*row, a.read_from or ("" if not a.label else f"table {reading.code[:3]}"))
            for row, a in zip(rows, reading.axes, strict=True)
        )
    return Panel(
        key="pcs_structure",
        title="ICD-10-PCS code structure",
        source=reading.source,
        as_of=as_of,
        summary=summary,
        tables=(Table(caption, columns, rows),),
    )

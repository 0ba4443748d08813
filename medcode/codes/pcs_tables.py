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

from medcode.codes.catalog import ReleaseCatalog, derived, release_catalog
from medcode.codes.models import ReferenceRow, Release
from medcode.codes.panels import Panel, Source, Table


@dataclass(frozen=True)
class PcsAxis:
    pos: int
    title: str  # "Body Part", "Approach", ...
    char: str
    label: str
    definition: str = ""


@dataclass(frozen=True)
class PcsReading:
    """A PCS code read through the tables: all seven axes when a table row holds the code."""

    code: str
    axes: tuple[PcsAxis, ...]
    is_in_tables: bool  # False: the table is known but no row builds the code
    source: Source
    definitions_source: Source | None


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
            terms = {str(t["title"]).lower(): t for t in data.get("terms", [])}
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
    """The axes of a 7-character PCS code (or a 3-character table) from the loaded tables."""
    code = code.upper()
    catalog = catalog or release_catalog()
    release = _release("pcs_tables", on, catalog)
    if release is None or len(code) < 3:
        return None
    data = (
        ReferenceRow.objects.filter(release_id=release.pk, key=f"pcs_table:{code[:3]}")
        .values_list("data", flat=True)
        .first()
    )
    if data is None:
        return None
    definitions_release = _release("pcs_definitions", on, catalog)
    terms = _definitions(definitions_release) if definitions_release else {}
    section = code[0]

    def defined(pos: int, label: str, given: str = "") -> str:
        return given or _meaning(terms.get((section, pos), {}).get(label.lower()))

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
    if row is not None:
        for pos in ("4", "5", "6", "7"):
            axis = row["axes"][pos]
            label = str(axis["labels"][code[int(pos) - 1]])
            axes.append(PcsAxis(int(pos), str(axis["title"]), code[int(pos) - 1], label,
                                defined(int(pos), label)))  # fmt: skip
    sources = catalog.sources
    return PcsReading(
        code=code,
        axes=tuple(axes),
        is_in_tables=row is not None,
        source=sources[release.pk],
        definitions_source=sources[definitions_release.pk] if definitions_release else None,
    )


PCS_AXES_SUMMARY = (
    "Each of the seven characters is an axis of the procedure; the labels are those of the "
    "ICD-10-PCS table that builds this code, the definitions CMS's (operations and "
    "approaches defined, body parts and devices with what they include)."
)


def pcs_axes_panel(reading: PcsReading, as_of: dt.date) -> Panel:
    """The 'ICD-10-PCS code structure' panel, read through the tables."""
    caption = "Characters"
    if reading.definitions_source is not None:
        caption += f" (definitions: {reading.definitions_source.citation})"
    return Panel(
        key="pcs_structure",
        title="ICD-10-PCS code structure",
        source=reading.source,
        as_of=as_of,
        summary=PCS_AXES_SUMMARY,
        tables=(
            Table(
                caption,
                ("Position", "Axis", "Character", "Meaning", "Definition"),
                tuple((str(a.pos), a.title, a.char, a.label, a.definition) for a in reading.axes),
            ),
        ),
    )

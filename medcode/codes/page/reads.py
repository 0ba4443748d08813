"""The reads that fill a code page, one family of code sets at a time.

ICD-10-CM (hierarchy, inherited notes and 7th characters, CC/MCC, index terms), ICD-10-PCS
(the code read by position, neighbours), CPT and HCPCS (fee schedule, OPPS, DMEPOS, NCCI,
licensed descriptors, neighbours, applicable modifiers) and modifiers (families, indicator
counts). Each reader adds panels and related codes to a PageParts; build.py assembles them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import yaml
from django.conf import settings
from django.db import connections, router
from django.db.models import Count
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from medcode.codes import cpt_ranges, sql
from medcode.codes.catalog import SYSTEM_LABELS, ReleaseCatalog, derived, release_catalog
from medcode.codes.models import (
    AddOnEdit,
    Code,
    CodeNote,
    FeeScheduleItem,
    Heading,
    IndexEntry,
    LicensedDescriptor,
    MueLimit,
    OppsItem,
    PtpEdit,
    ReferenceRow,
    Release,
    SeventhCharacter,
)
from medcode.codes.page import drg as drg_facts
from medcode.codes.page import meanings as explain
from medcode.codes.page import modifiers as mods
from medcode.codes.page import panels
from medcode.codes.page.lists import list_panels
from medcode.codes.page.panels import Panel, Source
from medcode.codes.pcs_tables import pcs_axes_panel, pcs_reading
from medcode.content.articles import CONTENT_ROOT, SYSTEM_FOLDERS, Article, load_article
from medcode.content.cpt_titles import cpt_title
from medcode.lib.codeshapes import CPT_CODE, PROCEDURE_CODE, system_of
from medcode.rules.modifier_sets import DISTINCT_SERVICE


@dataclass(frozen=True)
class OfficialDescription:
    text: str
    source: Source | None
    is_licensed: bool
    notice: str


@dataclass(frozen=True)
class RelatedCode:
    code: str  # as printed
    system: str
    title: str
    note: str = ""


@dataclass(frozen=True)
class RelatedGroup:
    key: str
    title: str
    codes: tuple[RelatedCode, ...]
    source: Source | None = None


@dataclass(frozen=True)
class Crumb:
    label: str
    code: str = ""  # as printed, when the level is a code with a page
    system: str = ""


@dataclass
class PageParts:
    """What the system-specific readers add to a page while it is being built."""

    panels: list[Panel] = field(default_factory=list)
    related: list[RelatedGroup] = field(default_factory=list)
    hierarchy: list[Crumb] = field(default_factory=list)
    modifiers: tuple[mods.ModifierAdvice, ...] = ()
    plain_html: str = ""
    # Who wrote plain_html when it is not derived from the data ("" when it is).
    plain_note: str = ""
    official: OfficialDescription | None = None
    releases_used: list[Release] = field(default_factory=list)


def article_for(system: str, code: str) -> Article | None:
    if system not in SYSTEM_FOLDERS:
        return None
    return load_article(system, code)


def article_title(system: str, code: str) -> str:
    """The title of a code's article without rendering it ("" when there is none)."""
    if system == "HCPCS" and CPT_CODE.match(code):
        system = "CPT"
    return _article_titles().get((system, code), "")


def code_title(system: str, code: str) -> str:
    """medcode's own title for a code: its article's, else (CPT) its reviewed title from
    content/cpt_titles.csv; "" when we have written none."""
    title = article_title(system, code)
    if title or system not in {"CPT", "HCPCS"} or not CPT_CODE.match(code):
        return title
    found = cpt_title(code)
    return found.title if found is not None else ""


@functools.cache
def _article_titles() -> dict[tuple[str, str], str]:
    """(system, code) -> title from each article's front matter, read once per process.

    Related-code lists name dozens of codes; parsing whole articles for their titles would
    cost a page tens of milliseconds. Invalid files are skipped here: the content tests fail
    on them.
    """
    titles: dict[tuple[str, str], str] = {}
    for system, folder in SYSTEM_FOLDERS.items():
        for path in sorted((CONTENT_ROOT / folder).glob("*.md")):
            head = path.read_text(encoding="utf-8").split("\n---", 1)[0].lstrip("-\n\ufeff")
            try:
                meta = yaml.safe_load(head)
            except yaml.YAMLError:
                continue
            if isinstance(meta, dict) and isinstance(meta.get("title"), str):
                titles[(system, path.stem)] = meta["title"].strip()
    return titles


LICENSED_NOTICE = "Licensed CPT descriptor imported by the operator of this install."


def _licensed_descriptor(
    catalog: ReleaseCatalog, code: str, on: dt.date, parts: PageParts
) -> OfficialDescription | None:
    releases = catalog.in_force("descriptors", on)
    if not releases:
        return None
    found = (
        LicensedDescriptor.objects.filter(release_id__in=[r.pk for r in releases], code=code)
        .values_list("release_id", "descriptor")
        .first()
    )
    if found is None:
        return None
    parts.releases_used += [r for r in releases if r.pk == found[0]]
    return OfficialDescription(found[1], catalog.sources[found[0]], True, LICENSED_NOTICE)


class _Ancestor(NamedTuple):
    display: str
    description: str


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in range(3, len(code))]


def _headings(release: Release) -> dict[str, str]:
    """Chapter number and section range -> title, cached per release."""
    key = ("headings", release.pk)
    cached = derived.get(key)
    if cached is None:
        cached = {}
        for kind, chapter, code_range, description in Heading.objects.filter(
            release_id=release.pk
        ).values_list("kind", "chapter", "code_range", "description"):
            cached[f"CH{chapter}" if kind == "chapter" else code_range] = description
        derived[key] = cached
    return dict(cached)


def icd10cm_parts(
    catalog: ReleaseCatalog, row: Code, release: Release, on: dt.date, parts: PageParts
) -> None:
    code = row.code
    parts.releases_used.append(release)
    chain_codes = _prefixes(code)
    ancestors = (
        {
            c: _Ancestor(d, long or short)
            for c, d, long, short in sql.select(
                Code,
                "SELECT code, display, long_description, short_description FROM {table}"
                f" WHERE release_id = %s AND code IN ({sql.places(len(chain_codes))})",
                [release.pk, *chain_codes],
            )
        }
        if chain_codes
        else {}
    )
    heading_release = next(iter(catalog.in_force("headings", on, "ICD10CM")[-1:]), None)
    headings = _headings(heading_release) if heading_release else {}
    chapter_key = f"CH{row.chapter}"
    if row.chapter:
        parts.hierarchy.append(
            Crumb(f"Chapter {row.chapter}: {headings.get(chapter_key, '')}".rstrip(": "))
        )
    if row.section:
        parts.hierarchy.append(
            Crumb(f"{row.section}: {headings.get(row.section, '')}".rstrip(": "))
        )
    for prefix in chain_codes:
        ancestor = ancestors.get(prefix)
        if ancestor is not None:
            parts.hierarchy.append(Crumb(ancestor.description, ancestor.display, "ICD10CM"))
    # Related: parent, children, siblings (one query).
    parents = [code] + ([row.parent] if row.parent else [])
    # No ORDER BY: it would make SQLite walk the (release, code) index instead of (release, parent).
    family = sorted(
        sql.select(
            Code,
            "SELECT code, display, long_description, parent FROM {table}"
            f" WHERE release_id = %s AND parent IN ({sql.places(len(parents))})",
            [release.pk, *parents],
        )
    )
    children = [RelatedCode(d, "ICD10CM", t) for c, d, t, p in family if p == code]
    siblings = [
        RelatedCode(d, "ICD10CM", t, "this code" if c == code else "")
        for c, d, t, p in family
        if p == row.parent and row.parent
    ]
    parent = ancestors.get(row.parent)
    source = catalog.sources[release.pk]
    if parent is not None:
        parts.related.append(
            RelatedGroup(
                "parent",
                "Parent",
                (RelatedCode(parent.display, "ICD10CM", parent.description),),
                source,
            )
        )
    parts.related.append(RelatedGroup("children", "Codes below it", tuple(children[:60]), source))
    if _is_seventh_character_family(code, row.parent, family):
        # The codes beside a 7th-character code are its own 7th characters, which the 7th
        # characters panel lists; show the same 7th character on the neighbouring codes
        # instead (right, left, unspecified side; other types).
        parts.related.append(_same_seventh_character(release, code, row.parent, source))
    else:
        parts.related.append(
            RelatedGroup("siblings", "Codes beside it", tuple(siblings[:60]), source)
        )
    # Notes, inherited from the chain, the section and the chapter.
    levels = {c: panels.display_icd10cm(c) for c in chain_codes}
    levels[code] = ""
    if row.section:
        levels[row.section] = f"section {row.section}"
    if row.chapter:
        levels[chapter_key] = f"chapter {row.chapter}"
    for notes_release in catalog.in_force("notes", on, "ICD10CM")[-1:]:
        notes = sql.select(
            CodeNote,
            "SELECT code, note_type, seq, text FROM {table}"
            f" WHERE release_id = %s AND code IN ({sql.places(len(levels))})"
            " ORDER BY code, note_type, seq",
            [notes_release.pk, *levels],
        )
        depth = {key: i for i, key in enumerate([chapter_key, row.section, *chain_codes, code])}
        ordered = sorted(notes, key=lambda n: (depth.get(n[0], 0), n[1], n[2]))
        panel = panels.icd10cm_notes_panel(
            (panels.NoteRow(levels[c], t, text) for c, t, _, text in ordered),
            catalog.sources[notes_release.pk],
            on,
        )
        if panel:
            parts.panels.append(panel)
            parts.releases_used.append(notes_release)
    _seventh_parts(catalog, row, release, on, parts)
    for sev_release in catalog.in_force("severities", on)[-1:]:
        if row.is_billable:
            found = drg_facts.severity_listed(sev_release, code)
            later = "" if found else drg_facts.definitions_level(code, on)
            parts.panels.append(
                panels.severity_panel(
                    found or "", catalog.sources[sev_release.pk], on, graded_later=later
                )
            )
            parts.releases_used.append(sev_release)
    if row.is_billable:  # MS-DRG definitions (drgpy) and Table 5 weights: drg.py
        parts.panels.extend(drg_facts.diagnosis_panels(code, on, catalog))
    index_releases = catalog.in_force("index_entries", on)
    if index_releases:
        # The index points at this code, or at a code above it with "-" (more characters
        # needed): both lead a coder here.
        leads = [code, row.display, code + "-", *(p + "-" for p in chain_codes)]
        entries = sorted(
            sql.select(
                IndexEntry,
                'SELECT release_id, seq, "table", path, term, code FROM {table}'
                f" WHERE release_id IN ({sql.places(len(index_releases))})"
                f" AND code IN ({sql.places(len(leads))}) ORDER BY seq LIMIT 60",
                [*(r.pk for r in index_releases), *leads],
            )
        )
        for idx_release in index_releases:
            panel = panels.index_panel(
                [
                    (
                        t,
                        p or term,
                        panels.display_icd10cm(c.rstrip("-")) + ("-" if c.endswith("-") else ""),
                    )
                    for rid, _, t, p, term, c in entries
                    if rid == idx_release.pk
                ][:30],
                catalog.sources[idx_release.pk],
                on,
            )
            if panel:
                parts.panels.append(panel)
                parts.releases_used.append(idx_release)
    parts.panels.extend(list_panels(row.system, code, row.display, on, catalog))
    parts.plain_html = _icd10cm_plain(row, headings)


def _seventh_parts(
    catalog: ReleaseCatalog, row: Code, release: Release, on: dt.date, parts: PageParts
) -> None:
    code = row.code
    for seventh_release in catalog.in_force("seventh", on, "ICD10CM")[-1:]:
        candidates = _prefixes(code) + ([code] if len(code) < 7 else [])
        declared = sql.select(
            SeventhCharacter,
            'SELECT code, "character", description FROM {table}'
            f" WHERE release_id = %s AND code IN ({sql.places(len(candidates))})",
            [seventh_release.pk, *candidates],
        )
        if not declared:
            return
        nearest = max({c for c, _, _ in declared}, key=len)
        characters = sorted((ch, d) for c, ch, d in declared if c == nearest)
        base = panels.seventh_base(code)
        valid = {
            c
            for (c,) in sql.select(
                Code,
                "SELECT code FROM {table}"
                f" WHERE release_id = %s AND code IN ({sql.places(len(characters))})",
                [release.pk, *(base + ch for ch, _ in characters)],
            )
        }
        panel = panels.seventh_character_panel(
            code=code,
            declared_at=nearest,
            characters=characters,
            valid_codes={c: True for c in valid},
            source=catalog.sources[seventh_release.pk],
            as_of=on,
        )
        if panel:
            parts.panels.append(panel)
            parts.releases_used.append(seventh_release)


def _icd10cm_plain(row: Code, headings: dict[str, str]) -> str:

    kind = "a billable" if row.is_billable else "a non-billable (heading)"
    html = format_html(
        "<p>{} is {} ICD-10-CM diagnosis code. The official title reads: <q>{}</q>.</p>",
        row.display,
        kind,
        row.description,
    )
    where = []
    if row.chapter and headings.get(f"CH{row.chapter}"):
        where.append(format_html("chapter {} ({})", row.chapter, headings[f"CH{row.chapter}"]))
    if row.section and headings.get(row.section):
        where.append(format_html("section {}", headings[row.section]))
    if where:
        html += format_html(
            "<p>It belongs to {}.</p>", format_html(", ".join(["{}"] * len(where)), *where)
        )
    if not row.is_billable:
        html += mark_safe(
            "<p>Claims need a code at the most specific level: pick one of the codes below it.</p>"
        )
    return str(html)


def pcs_parts(row: Code, release: Release, on: dt.date, parts: PageParts) -> None:
    code = row.code
    parts.releases_used.append(release)
    source = panels.source_of(release)
    axes = explain.pcs_axes(code)
    parts.panels.append(
        Panel(
            key="pcs_structure",
            title="ICD-10-PCS code structure",
            source=source,
            as_of=on,
            summary="Each of the seven characters is an axis of the procedure. Section, body "
            "system, root operation and approach values follow the ICD-10-PCS tables; the "
            "body part, device and qualifier are spelled out in the title.",
            tables=(
                panels.Table(
                    "Characters",
                    ("Position", "Axis", "Character", "Meaning"),
                    tuple((str(i + 1), a, c, m) for i, (a, c, m) in enumerate(axes)),
                ),
            ),
        )
    )
    catalog = release_catalog()
    in_tables = pcs_reading(code, on, catalog)
    if in_tables is not None:  # the tables' labels (saying so when the code's row is missing)
        parts.panels[-1] = pcs_axes_panel(in_tables, on, codes=source)
        axes = tuple((a.title, a.char, a.label) for a in in_tables.axes)
    if len(code) == 7:
        stem = code[:4]
        upper = stem[:-1] + chr(ord(stem[-1]) + 1)
        neighbours = sql.select(
            Code,
            "SELECT code, long_description FROM {table} WHERE release_id = %s"
            " AND code >= %s AND code < %s AND NOT (code = %s) ORDER BY code LIMIT 400",
            [release.pk, stem, upper, code],
        )
        same_approach = [RelatedCode(c, "ICD10PCS", t) for c, t in neighbours if c[:5] == code[:5]]
        other = [RelatedCode(c, "ICD10PCS", t) for c, t in neighbours if c[:5] != code[:5]]
        parts.related.append(
            RelatedGroup(
                "same_body_part_approach",
                "Same body part and approach",
                tuple(same_approach[:30]),
                source,
            )
        )
        parts.related.append(
            RelatedGroup(
                "same_body_part",
                "Same root operation and body part, other approaches",
                tuple(other[:30]),
                source,
            )
        )
    reading = ", ".join(f"{a.lower()} {m}" for a, _, m in axes if m)
    parts.plain_html = str(
        format_html(
            "<p>{} is an ICD-10-PCS code for inpatient hospital procedures: <q>{}</q>.</p>"
            "<p>Read by position: {}.</p>",
            row.code,
            row.description,
            reading,
        )
    )
    parts.panels.extend(drg_facts.procedure_panels(code, on, catalog))
    parts.panels.extend(list_panels(row.system, code, row.display, on, catalog))
    parts.hierarchy += [Crumb(f"Section {code[0]}: {explain.PCS_SECTIONS.get(code[0], '')}")]
    if row.parent:
        parts.hierarchy.append(Crumb(f"Table {row.parent}"))


def procedure_parts(
    catalog: ReleaseCatalog,
    system: str,
    code: str,
    row: Code | None,
    on: dt.date,
    article: Article | None,
    parts: PageParts,
) -> None:
    fee_rows: list[FeeScheduleItem] = []
    fee_source: Source | None = None
    for release in catalog.in_force("fee_items", on)[-1:]:
        fee_rows = sql.instances(
            FeeScheduleItem, "WHERE (code = %s AND release_id = %s)", [code, release.pk]
        )
        if fee_rows:
            fee_source = catalog.sources[release.pk]
            panel = panels.fee_schedule_panel(fee_rows, fee_source, on)
            if panel:
                parts.panels.append(panel)
            parts.releases_used.append(release)
            parts.related.append(_numeric_neighbours(release, code, fee_source, system))
    if system == "HCPCS" and row is not None:
        code_release = next((r for r in catalog.releases if r.pk == row.release_id), None)
        if code_release is not None:
            parts.panels.insert(0, panels.hcpcs_panel(row, catalog.sources[code_release.pk], on))
            parts.related.append(
                _letter_neighbours(code_release, code, catalog.sources[code_release.pk])
            )
    for release in catalog.in_force("dmepos_fees", on)[-1:]:
        panel = panels.dmepos_panel(
            _dmepos_rows(release).get(code, []), catalog.sources[release.pk], on
        )
        if panel:
            parts.panels.append(panel)
            parts.releases_used.append(release)
    for release in catalog.in_force("opps_items", on)[-1:]:
        opps = sql.instances(OppsItem, "WHERE (code = %s AND release_id = %s)", [code, release.pk])
        panel = panels.opps_panel(opps, catalog.sources[release.pk], on)
        if panel:
            parts.panels.append(panel)
            parts.releases_used.append(release)
    ptp, ptp_source = _ptp_parts(catalog, code, on, parts)
    _mue_parts(catalog, code, on, parts)
    _addon_parts(catalog, code, on, parts)
    parts.panels.extend(list_panels(system, code, code, on, catalog))
    if system == "CPT":
        parts.official = _licensed_descriptor(catalog, code, on, parts)
    main = panels.global_row(fee_rows) if fee_rows else None
    parts.modifiers = mods.applicable_modifiers(
        fee=main,
        fee_source=fee_source,
        ptp=ptp,
        ptp_source=ptp_source,
        is_em=system == "CPT" and "99202" <= code <= "99499" and code.isdigit(),
    )
    parts.plain_html = _procedure_plain(system, code, row, main)
    summary = cpt_title(code) if system == "CPT" else None
    if summary is not None:
        parts.plain_html = str(format_html(SUMMARY_HTML, summary.summary)) + parts.plain_html
        parts.plain_note = SUMMARY_NOTE.format(reviewed_by=summary.reviewed_by)
    if system == "CPT":
        section = explain.cpt_section(code)
        if section:
            parts.hierarchy.append(Crumb(f"CPT {section}"))
        found = cpt_ranges.range_of(code)
        if found and found.area:
            parts.hierarchy.append(Crumb(f"{found.area} ({found.span})"))
    elif code[:1] in explain.HCPCS_GROUPS:
        parts.hierarchy.append(Crumb(f"HCPCS group {code[0]}: {explain.HCPCS_GROUPS[code[0]]}"))


def _dmepos_rows(release: Release) -> dict[str, list[dict[str, Any]]]:
    """The DMEPOS reference rows by code, read once per release (a few thousand rows)."""
    key = ("dmepos", release.pk)
    cached = derived.get(key)
    if cached is None:
        cached = {}
        for data in ReferenceRow.objects.filter(
            release_id=release.pk, key="dmepos_fees"
        ).values_list("data", flat=True):
            cached.setdefault(str(data.get("hcpcs", "")), []).append(data)
        derived[key] = cached
    return cached


def _numeric_neighbours(release: Release, code: str, source: Source, system: str) -> RelatedGroup:
    if not PROCEDURE_CODE.match(code):
        return RelatedGroup("neighbours", "Nearby codes", ())
    # Written out (medcode.codes.sql) as the ORM wrote them: building them cost more.
    before = [
        c
        for (c,) in sql.select(
            FeeScheduleItem,
            "SELECT code FROM {table} WHERE code >= %s AND code < %s AND modifier = %s"
            " AND release_id = %s ORDER BY 1 DESC LIMIT 6",
            [code[:2], code, "", release.pk],
        )
    ]
    after = [
        c
        for (c,) in sql.select(
            FeeScheduleItem,
            "SELECT code FROM {table} WHERE code > %s AND code < %s AND modifier = %s"
            " AND release_id = %s ORDER BY 1 ASC LIMIT 6",
            [code, code[:2] + "~", "", release.pk],
        )
    ]
    near = [
        c
        for c in [*reversed(before), *after]
        if len(c) == len(code) and c[-1].isdigit() == code[-1].isdigit()
    ]
    return RelatedGroup(
        "neighbours",
        "Nearby codes in the fee schedule",
        tuple(related_ref(c) for c in near),
        source,
    )


def _letter_neighbours(release: Release, code: str, source: Source) -> RelatedGroup:
    before = sql.select(
        Code,
        "SELECT code, long_description FROM {table} WHERE code >= %s AND code < %s"
        ' AND release_id = %s AND "system" = %s ORDER BY 1 DESC LIMIT 5',
        [code[0], code, release.pk, "HCPCS"],
    )
    after = sql.select(
        Code,
        "SELECT code, long_description FROM {table} WHERE code > %s AND code < %s"
        ' AND release_id = %s AND "system" = %s ORDER BY 1 ASC LIMIT 5',
        [code, code[0] + "~", release.pk, "HCPCS"],
    )
    return RelatedGroup(
        "neighbours",
        f"Nearby codes in group {code[0]}",
        tuple(RelatedCode(c, "HCPCS", t) for c, t in [*reversed(before), *after]),
        source,
    )


def related_ref(code: str) -> RelatedCode:
    system = (system_of(code) or "") if PROCEDURE_CODE.match(code) else ""
    return RelatedCode(code, system, code_title(system, code) if system else "")


# An NCCI edit is in force on a day from its effective date (none: from the start of its
# release) through its deletion date; the day is given twice.
_EDIT_IN_FORCE = (
    "(effective_on IS NULL OR effective_on <= %s) AND (deleted_on IS NULL OR deleted_on >= %s)"
)


def _ptp_parts(
    catalog: ReleaseCatalog, code: str, on: dt.date, parts: PageParts
) -> tuple[panels.PtpSummary | None, Source | None]:
    # The practitioner table first: it is the one most readers bill against.
    releases = sorted(
        catalog.in_force("ptp_edits", on), key=lambda r: "practitioner" not in r.dataset
    )
    if not releases:
        return None, None
    # Written out (medcode.codes.sql) as the ORM wrote it: building it and converting its
    # rows (a code has up to a few thousand) cost more than running it.
    day = connections[router.db_for_read(PtpEdit)].ops.adapt_datefield_value(on)
    ids = [r.pk for r in releases]
    rows = sql.select(
        PtpEdit,
        "SELECT release_id, column_2, modifier_indicator, rationale FROM {table}"
        f" WHERE ({_EDIT_IN_FORCE} AND column_1 = %s AND release_id IN ({sql.places(len(ids))}))"
        " ORDER BY 2 ASC",
        [day, day, code, *ids],
    )
    first: tuple[panels.PtpSummary | None, Source | None] = (None, None)
    for release in releases:
        mine = [r for r in rows if r[0] == release.pk]
        if not mine:
            continue
        summary = panels.PtpSummary(
            as_column_1=len(mine),
            # Not counted: PtpEdit has no index on column 2, so a count would scan the table
            # (partners.py offers the column-2 direction only with such an index, likewise).
            as_column_2=None,
            modifier_allowed=sum(1 for r in mine if r[2] == "1"),
            never_together=sum(1 for r in mine if r[2] == "0"),
            partners=tuple((c2, ind, why) for _, c2, ind, why in mine[:25]),
        )
        source = catalog.sources[release.pk]
        title = f"NCCI procedure-to-procedure edits: {source.title}"
        parts.panels.append(panels.ptp_panel(summary, title, source, on))
        parts.releases_used.append(release)
        if first[0] is None:
            first = (summary, source)
        parts.related.append(
            RelatedGroup(
                f"ncci_{release.dataset}",
                f"NCCI column 2 partners ({source.title})",
                tuple(related_ref(c2) for c2, _, _ in summary.partners[:12]),
                source,
            )
        )
    return first


def _mue_parts(catalog: ReleaseCatalog, code: str, on: dt.date, parts: PageParts) -> None:
    """One MUE panel: per service type the value of the newest release in force that lists
    it (the combined quarterly file and the per-table files overlap), the rationale from
    whichever release gives one."""
    releases = catalog.in_force("mue_limits", on)
    if not releases:
        return
    rows = sql.instances(
        MueLimit,
        f"WHERE (code = %s AND release_id IN ({sql.places(len(releases))}))",
        [code, *(r.pk for r in releases)],
    )
    newest_first = sorted(releases, key=lambda r: (r.effective_from, r.pk), reverse=True)
    chosen: dict[str, MueLimit] = {}
    used: list[Release] = []
    for release in newest_first:
        for row in sorted((r for r in rows if r.release_id == release.pk), key=lambda r: r.pk):
            kind = MUE_SERVICE_TYPE_ALIASES.get(row.service_type, row.service_type)
            if kind in chosen:
                continue
            rationale = row.rationale or next(
                (
                    r.rationale
                    for r in rows
                    if r.rationale
                    and MUE_SERVICE_TYPE_ALIASES.get(r.service_type, r.service_type) == kind
                ),
                "",
            )
            chosen[kind] = MueLimit(
                code=row.code, service_type=kind, value=row.value, mai=row.mai, rationale=rationale
            )
            if release not in used:
                used.append(release)
    if not used:
        return
    panel = panels.mue_panel(list(chosen.values()), catalog.sources[used[0].pk], on)
    if panel is None:
        return
    if len(used) > 1:
        names = "; ".join(
            f"{catalog.sources[r.pk].title} {catalog.sources[r.pk].version_label}" for r in used
        )
        summary = (
            f"{panel.summary} Each table's value is from the newest release listing it ({names})."
        )
        panel = replace(panel, summary=summary)
    parts.panels.append(panel)
    parts.releases_used.extend(used)


# The combined quarterly MUE file names the DME table "dme"; the per-table files (and the
# labels) say "dme_supplier".
MUE_SERVICE_TYPE_ALIASES = {"dme": "dme_supplier"}


AddOnRow = tuple[str, str, int, str, dt.date | None, dt.date | None]


def _addon_index(release: Release) -> dict[str, list[AddOnRow]]:
    """The release's add-on edits by add-on and by primary code, read once per process.

    The table is small (thousands of rows) and has no index on the primary code.
    """
    key = ("addon_index", release.pk)
    cached = derived.get(key)
    if cached is None:
        cached = {}
        rows = AddOnEdit.objects.filter(release_id=release.pk).values_list(
            "addon", "primary", "edit_type", "notes", "effective_on", "deleted_on"
        )
        for row in sorted(rows, key=lambda r: (r[0], r[1])):
            cached.setdefault(row[0], []).append(row)
            if row[1] != row[0]:
                cached.setdefault(row[1], []).append(row)
        derived[key] = cached
    return cached


def _addon_parts(catalog: ReleaseCatalog, code: str, on: dt.date, parts: PageParts) -> None:
    for release in catalog.in_force("addon_edits", on)[-1:]:
        rows = [
            r
            for r in _addon_index(release).get(code, [])
            if (r[4] is None or r[4] <= on) and (r[5] is None or on <= r[5])
        ]
        primaries = [(p, t, n) for a, p, t, n, _, _ in rows if a == code]
        addons = [(a, t) for a, p, t, _, _, _ in rows if p == code]
        source = catalog.sources[release.pk]
        panel = panels.addon_panel(primaries=primaries, addons=addons, source=source, as_of=on)
        if panel:
            parts.panels.append(panel)
            parts.releases_used.append(release)
            if primaries:
                listed = [p for p, _, _ in primaries if p != "CCCCC"]
                parts.related.append(
                    RelatedGroup(
                        "addon_primaries",
                        _counted("Primary codes this add-on is reported with", len(listed)),
                        tuple(related_ref(p) for p in listed[:RELATED_SHOWN]),
                        source,
                    )
                )
            if addons:
                parts.related.append(
                    RelatedGroup(
                        "addons",
                        _counted("Add-on codes", len(addons)),
                        tuple(related_ref(a) for a, _ in addons[:RELATED_SHOWN]),
                        source,
                    )
                )


RELATED_SHOWN = 30


def _counted(title: str, total: int) -> str:
    """A related group's title, saying when the list shows only the first of its codes."""
    return f"{title} (first {RELATED_SHOWN} of {total})" if total > RELATED_SHOWN else title


def _is_seventh_character_family(
    code: str, parent: str, family: list[tuple[str, str, str, str]]
) -> bool:
    """Whether the code and its siblings differ only in a 7th character (S72.001A-S)."""
    siblings = [c for c, _, _, p in family if p == parent]
    return (
        bool(parent) and len(code) == 7 and all(len(c) == 7 and c[:6] == code[:6] for c in siblings)
    )


def _same_seventh_character(
    release: Release, code: str, parent: str, source: Source
) -> RelatedGroup:
    """The codes under the same grandparent with the same 7th character: for S72.001A,
    S72.002A (left) and S72.009A (unspecified side). One query."""
    # Written out (medcode.codes.sql): building the two nested subqueries with the ORM cost
    # ~5% of a long-tail code page's CPU (py-spy --gil), several times running them.
    cousins = sorted(
        sql.select(
            Code,
            "SELECT c.code, c.display, c.long_description FROM {table} c"
            " WHERE c.release_id = %s AND c.code LIKE %s AND c.parent IN ("
            "SELECT u.code FROM {table} u WHERE u.release_id = %s AND u.parent = ("
            "SELECT g.parent FROM {table} g WHERE g.release_id = %s AND g.code = %s LIMIT 1))",
            [release.pk, "%" + code[-1], release.pk, release.pk, parent],
        )
    )
    refs = tuple(
        RelatedCode(d, "ICD10CM", t, "this code" if c == code else "")
        for c, d, t in cousins
        if len(c) == 7
    )
    return RelatedGroup("laterality", SAME_SEVENTH_TITLE.format(char=code[-1]), refs[:60], source)


SAME_SEVENTH_TITLE = "Beside it with the same 7th character ({char}): other sides and types"


SUMMARY_HTML = '<p class="editorial-summary">{}</p>'
SUMMARY_NOTE = (
    "The first paragraph is medcode's own plain-language summary, not the official CPT "
    "descriptor (reviewed by {reviewed_by}); the rest is written from the CMS data on this page."
)


def _cpt_plain(code: str, row: Code | None) -> SafeString:
    """What a CPT page can say in plain words without the AMA descriptor."""
    if row is not None and row.description:  # a licensed descriptor, on an install that has one
        return format_html("<p>{} is a CPT code ({}).</p>", code, explain.cpt_section(code))
    found = cpt_ranges.range_of(code)
    where = (
        format_html(" in the range {} that medcode calls <em>{}</em>", found.span, found.label)
        if found and found.area
        else ""
    )
    if cpt_title(code) is not None:  # our summary comes first; the official notice says the rest
        section = explain.cpt_section(code) or "CPT"
        return format_html("<p>{} is a CPT code ({}){}.</p>", code, section, where)
    return format_html(
        "<p>{} is a CPT code ({}){}. Its official descriptor is AMA text that this install has "
        "not loaded, so this page describes the code by its range and by what the public "
        "CMS files say about it.</p>",
        code,
        explain.cpt_section(code) or "CPT",
        where,
    )


def _procedure_plain(system: str, code: str, row: Code | None, fee: Any) -> str:
    if system == "HCPCS" and row is not None and row.description:
        group = explain.HCPCS_GROUPS.get(code[0], "")
        html = format_html(
            "<p>{} is a HCPCS Level II code{}. CMS describes it as: <q>{}</q>.</p>",
            code,
            format_html(" in group {} ({})", code[0], group) if group else "",
            row.description,
        )
    elif system == "CPT":
        html = _cpt_plain(code, row)
    else:
        html = format_html("<p>{} is a {} code.</p>", code, SYSTEM_LABELS.get(system, system))
    if fee is not None:
        html += format_html(
            "<p>Medicare Physician Fee Schedule: status {} ({}) Global period: {}</p>",
            fee.status_code,
            explain.explain(explain.PFS_STATUS, fee.status_code).rstrip("."),
            explain.explain(explain.GLOBAL_DAYS, fee.global_days) or "not given.",
        )
    return str(html)


def modifier_parts(
    catalog: ReleaseCatalog, code: str, row: Code | None, on: dt.date, parts: PageParts
) -> None:
    explained = mods.modifier_explanation(code)
    if explained is not None:
        parts.plain_html = str(format_html("<p><strong>{}.</strong> {}</p>", *explained))
    elif row is not None and row.description:
        parts.plain_html = str(
            format_html("<p>HCPCS Level II modifier {}: <q>{}</q>.</p>", code, row.description)
        )
    family = mods.modifier_family(code)
    if family:
        parts.related.append(
            RelatedGroup(
                "family",
                "Modifiers used in similar situations",
                tuple(
                    RelatedCode(m, "MODIFIER", (mods.modifier_explanation(m) or ("",))[0])
                    for m in family
                ),
            )
        )
    if code in DISTINCT_SERVICE:
        _ncci_indicator_parts(catalog, code, on, parts)
    indicator = mods.MODIFIER_INDICATORS.get(code)
    if indicator is None:
        return
    column, label, meanings = indicator
    for release in catalog.in_force("fee_items", on)[-1:]:
        key = ("indicator_counts", release.pk, column)
        counts = derived.get(key)
        if counts is None:
            counts = list(
                FeeScheduleItem.objects.filter(release_id=release.pk, modifier="")
                .values_list(column)
                .annotate(n=Count("id"))
                .order_by(column)
            )
            derived[key] = counts
        source = catalog.sources[release.pk]
        parts.panels.append(
            Panel(
                key="indicator_counts",
                title=f"Fee schedule codes by {label.lower()}",
                source=source,
                as_of=on,
                summary=f"How many codes of the loaded fee schedule carry each value of the "
                f"{label.lower()}, which sets whether and how modifier {code} is paid.",
                tables=(
                    panels.Table(
                        label,
                        ("Value", "Meaning", "Codes"),
                        tuple((str(v), meanings.get(str(v), ""), str(n)) for v, n in counts),
                    ),
                ),
            )
        )
        parts.releases_used.append(release)


def _ptp_counts(release: Release) -> list[tuple[str, int]]:
    """Edits without a deletion date by modifier indicator: a GROUP BY over millions of
    rows (seconds), so the result is kept in a file per release (a release's rows never
    change; its file hash names it) that every process and restart reads."""
    path = settings.VAR_DIR / "derived" / f"ptp-indicator-counts-{release.sha256[:32]}.json"
    try:
        return [(str(v), int(n)) for v, n in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        pass
    counts = [
        (str(value), int(n))
        for value, n in PtpEdit.objects.filter(release_id=release.pk, deleted_on__isnull=True)
        .values_list("modifier_indicator")
        .annotate(n=Count("id"))
        .order_by("modifier_indicator")
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(counts))
        partial.replace(path)
    except OSError:
        pass  # a read-only var directory: counted again next time
    return counts


def _ncci_indicator_parts(
    catalog: ReleaseCatalog, code: str, on: dt.date, parts: PageParts
) -> None:
    """PTP edits (without a deletion date) by modifier indicator: what 59/X can bypass."""
    for release in catalog.in_force("ptp_edits", on):
        key = ("ptp_indicator_counts", release.pk)
        counts = derived.get(key)
        if counts is None:
            counts = _ptp_counts(release)
            derived[key] = counts
        source = catalog.sources[release.pk]
        parts.panels.append(
            Panel(
                key=f"ptp_indicators_{release.dataset}",
                title=f"NCCI pair edits by modifier indicator: {source.title}",
                source=source,
                as_of=on,
                summary=f"Modifier {code} can only bypass pair edits with modifier indicator 1, "
                "and only when the record shows the services were distinct. Edits with a "
                "deletion date are left out of the counts.",
                tables=(
                    panels.Table(
                        "Edits by modifier indicator",
                        ("Indicator", "Meaning", "Edits"),
                        tuple(
                            (str(v), explain.PTP_MODIFIER.get(str(v), ""), str(n))
                            for v, n in counts
                        ),
                    ),
                ),
            )
        )
        parts.releases_used.append(release)

"""A code page: what it holds (`CodePage`) and the query that builds it (`code_page`).

`code_page` picks the row of the release in force on the date of service (or the nearest,
with a notice), works out the status (active, added, revised, deleted, not yet valid), then
lets reads.py add the panels and related codes of the code's family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import router

from medcode.codes import cpt_ranges, sql, staleness
from medcode.codes.catalog import SYSTEM_LABELS, ReleaseCatalog, release_catalog
from medcode.codes.models import Code, Release
from medcode.codes.page import meanings as explain
from medcode.codes.page import modifiers as mods
from medcode.codes.page import panels
from medcode.codes.page.panels import Fact, Panel, Source
from medcode.codes.page.reads import (
    Crumb,
    OfficialDescription,
    PageParts,
    RelatedGroup,
    article_for,
    code_title,
    icd10cm_parts,
    modifier_parts,
    pcs_parts,
    procedure_parts,
    related_ref,
)
from medcode.content.articles import Article
from medcode.lib.in_force import covers, started


@dataclass(frozen=True)
class CodeRef:
    system: str
    system_label: str
    code: str  # upper case, no dot
    display: str  # as printed (S72.001A)
    title: str


class CodeNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Status:
    state: str  # active, added, revised, deleted, not_yet_valid, not_loaded
    label: str
    detail: str
    replaced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqItem:
    question: str
    answer_html: str


@dataclass(frozen=True)
class Editorial:
    title: str
    status: str
    reviewed_by: str
    updated: dt.date
    sources: tuple[str, ...]
    # "<who>, <YYYY-MM-DD>" of the article's second review; "" when there was none.
    second_review: str = ""


@dataclass(frozen=True)
class CodePage:
    """Everything a code page shows, in PRODUCT.md order."""

    system: str
    system_label: str
    code: str
    display: str
    title: str
    on: dt.date
    date_notice: str
    # 1. status and dates
    status: Status
    is_billable: bool | None
    billable_label: str
    dates: tuple[Fact, ...]
    release: Source | None
    hierarchy: tuple[Crumb, ...]
    # 2-4. public part
    official: OfficialDescription
    plain_language_html: str
    plain_language_is_editorial: bool
    what_it_is_html: str
    not_covered_html: str
    # 5-10. gated part
    documentation_html: str
    billing_html: str
    modifiers: tuple[mods.ModifierAdvice, ...]
    modifier_notes_html: str
    related: tuple[RelatedGroup, ...]
    related_notes_html: str
    panels: tuple[Panel, ...]
    faq: tuple[FaqItem, ...]
    editorial: Editorial | None
    also: tuple[CodeRef, ...] = ()
    # Who wrote the plain-language text when it is ours but not an article's ("" otherwise).
    plain_language_note: str = ""


@dataclass(frozen=True)
class _Timeline:
    row: Code | None
    release: Release | None
    status: Status
    notice: str


def code_page(
    system: str, code: str, on: dt.date, *, rows: Sequence[CodeRow] | None = None
) -> CodePage:
    """The page of one code of one code set as of a date of service. `rows`: the code's rows
    of every code set as `code_rows(code)` read them, when the caller has them already."""
    code = code.replace(".", "").strip().upper()
    catalog = release_catalog()
    timeline = _timeline(catalog, system, code, on, rows)
    article = article_for(system, code)
    parts = PageParts()
    row = timeline.row
    if system == "ICD10CM" and row is not None and timeline.release is not None:
        icd10cm_parts(catalog, row, timeline.release, on, parts)
    elif system == "ICD10PCS" and row is not None and timeline.release is not None:
        pcs_parts(row, timeline.release, on, parts)
    elif system in {"CPT", "HCPCS"}:
        procedure_parts(catalog, system, code, row, on, article, parts)
    elif system == "MODIFIER":
        modifier_parts(catalog, code, row, on, parts)
    if row is None and article is None and not parts.panels and system != "MODIFIER":
        raise CodeNotFound(code)
    if system == "MODIFIER" and row is None and article is None and code not in mods.CPT_MODIFIERS:
        raise CodeNotFound(code)
    display = row.display if row is not None else code
    official = parts.official or _official_from_row(system, code, row, timeline.release, catalog)
    sections = dict(article.sections) if article else {}
    if article and article.related:
        parts.related.append(
            RelatedGroup(
                "editorial",
                "Often reported or confused with it",
                tuple(related_ref(c) for c in article.related),
            )
        )
    plain_html = sections.get("description", "") or parts.plain_html
    notice = timeline.notice or _date_notice(on, parts.releases_used, catalog)
    status = timeline.status
    if system == "MODIFIER" and row is None and mods.is_cpt_modifier(code):
        status = Status("active", "CPT modifier", CPT_MODIFIER_STATUS)
    return CodePage(
        system=system,
        system_label=SYSTEM_LABELS.get(system, system),
        code=code,
        display=display,
        title=_page_title(system, code, row, article),
        on=on,
        date_notice=notice,
        status=status,
        is_billable=row.is_billable
        if row is not None and system in {"ICD10CM", "ICD10PCS"}
        else None,
        billable_label=_billable_label(system, row),
        dates=_dates(row, timeline.release, catalog),
        release=catalog.sources.get(timeline.release.pk) if timeline.release else None,
        hierarchy=tuple(parts.hierarchy),
        official=official,
        plain_language_html=plain_html,
        plain_language_is_editorial=bool(sections.get("description")),
        plain_language_note="" if sections.get("description") else parts.plain_note,
        what_it_is_html=sections.get("what_it_is", ""),
        not_covered_html=sections.get("not_covered", ""),
        documentation_html=sections.get("documentation", ""),
        billing_html=sections.get("billing", ""),
        modifiers=parts.modifiers,
        modifier_notes_html=sections.get("modifiers", ""),
        related=tuple(g for g in parts.related if g.codes),
        related_notes_html=sections.get("related_codes", ""),
        panels=staleness.mark_panels(parts.panels, on, catalog),
        faq=tuple(FaqItem(q, a) for q, a in (article.faq if article else ())),
        editorial=(
            Editorial(
                article.title,
                article.status,
                article.reviewed_by,
                article.updated,
                article.sources,
                second_review=(
                    f"{article.second_reviewed_by}, {article.second_reviewed.isoformat()}"
                    if article.second_reviewed
                    else ""
                ),
            )
            if article
            else None
        ),
    )


def with_also(page: CodePage, also: Sequence[CodeRef]) -> CodePage:
    """The page, naming the other code sets the same text resolves to."""
    return replace(page, also=tuple(also))


def _page_title(system: str, code: str, row: Code | None, article: Article | None) -> str:
    if row is not None and row.description:
        return row.description
    if article is not None:
        return article.title
    return default_title(system, code)


def _billable_label(system: str, row: Code | None) -> str:
    if row is None:
        return ""
    if system == "ICD10CM":
        return (
            "Billable: valid for claims"
            if row.is_billable
            else "Not billable: a heading; report one of the more specific codes below it"
        )
    if system == "ICD10PCS":
        return "Valid procedure code" if row.is_billable else "Not a reportable code (a table)"
    return ""


def default_title(system: str, code: str) -> str:
    title = code_title(system, code)
    if title:
        return title
    if system == "MODIFIER" and code in mods.CPT_MODIFIERS:
        return mods.CPT_MODIFIERS[code][0]
    if system == "CPT" and cpt_ranges.label(code):
        # Our name for the code's range: the descriptor itself is AMA text.
        return cpt_ranges.label(code)
    return f"{SYSTEM_LABELS.get(system, system)} code {code}"


_CODE_COLUMNS = tuple(f.attname for f in Code._meta.concrete_fields)
# Every column of the code's rows in every code set: the lookup that resolves what was typed
# (queries.resolve_code) and the page read the same rows, so they share this one query.
_ROWS_SQL = (
    "SELECT "
    + ", ".join(f'"{column}"' for column in _CODE_COLUMNS)
    + " FROM {table} WHERE code = %s"
)
_COLUMN_INDEX = {name: index for index, name in enumerate(_CODE_COLUMNS)}
_SYSTEM = _COLUMN_INDEX["system"]
_BILLABLE = _COLUMN_INDEX["is_billable"]
_ATTRIBUTES = _COLUMN_INDEX["attributes"]

# One row of `code_rows`: the Code columns in _CODE_COLUMNS order, as the database gives them.
CodeRow = tuple[Any, ...]


def code_rows(code: str) -> list[CodeRow]:
    """Every row of `code` (upper case, no dot), in every code set and release, unconverted:
    a written-out SELECT (medcode.codes.sql)."""
    return sql.select(Code, _ROWS_SQL, [code])


def row_field(row: CodeRow, name: str) -> Any:
    """One column of a `code_rows` row (text and number columns only: no conversion)."""
    return row[_COLUMN_INDEX[name]]


def _code_rows(rows: Sequence[CodeRow], system: str) -> dict[int, Code]:
    """The code's row in each release of `system` that lists it, by release id: model rows
    made as the ORM makes them (Code.from_db, the JSON and boolean columns converted); raw()
    took five times as long as the query itself."""
    alias = router.db_for_read(Code)
    found = {}
    for row in rows:
        if row[_SYSTEM] != system:
            continue
        values = list(row)
        values[_BILLABLE] = bool(values[_BILLABLE])
        values[_ATTRIBUTES] = sql.json_value(values[_ATTRIBUTES])
        made = Code.from_db(alias, _CODE_COLUMNS, values)
        found[made.release_id] = made
    return found


def _timeline(
    catalog: ReleaseCatalog,
    system: str,
    code: str,
    on: dt.date,
    read: Sequence[CodeRow] | None = None,
) -> _Timeline:
    """The row describing `on`: from a release covering the date, else the nearest one."""
    releases = catalog.with_table("codes", system)
    label = SYSTEM_LABELS.get(system, system)
    if releases and read is None:
        read = code_rows(code)
    rows = _code_rows(read, system) if releases and read else {}
    if not rows:
        detail = f"No loaded {label} release lists this code." if releases else ""
        return _Timeline(None, None, Status("not_loaded", "Not in a loaded release", detail), "")
    order = {r.pk: i for i, r in enumerate(releases)}
    listing = [r for r in releases if r.pk in rows]
    begun = started(releases, on)
    if not begun:
        first = listing[0]
        notice = (
            f"{on.isoformat()} is before the earliest loaded {label} release "
            f"({catalog.sources[releases[0].pk].citation}, effective "
            f"{releases[0].effective_from.isoformat()}); the page shows the nearest release."
        )
        status = _active_status(rows[first.pk], first, first.effective_from, releases, rows)
        return _Timeline(rows[first.pk], first, status, notice)
    covering = [r for r in begun if covers(r, on)]
    notice = ""
    if not covering:
        latest = begun[-1]
        covering = [r for r in begun if r.effective_from == latest.effective_from]
        notice = _coverage_notice(on, latest, label)
    elif on > dt.date.today() + dt.timedelta(days=366):
        notice = _coverage_notice(on, covering[-1], label)
    having = [r for r in covering if r.pk in rows]
    if having:
        release = having[-1]
        status = _active_status(rows[release.pk], release, on, releases, rows)
        return _Timeline(rows[release.pk], release, status, notice)
    earlier = started(listing, on)
    if earlier:
        last = earlier[-1]
        # A release that lists nothing of the code's family (a partial file) says nothing
        # about this code; only a release that lists its neighbours shows it has gone.
        lacking = [r for r in covering if order[r.pk] > order[last.pk] and _lists_family(r, code)]
        if not lacking:
            status = _active_status(rows[last.pk], last, on, releases, rows)
            if notice:  # name the release the page shows, not the partial one after it
                notice = _coverage_notice(on, last, label)
            return _Timeline(rows[last.pk], last, status, notice)
        successor = lacking[0]
        ended = successor.effective_from
        if last.effective_to and last.effective_to < ended:
            ended = last.effective_to + dt.timedelta(days=1)
        replaced = tuple(panels.split_values((rows[last.pk].attributes or {}).get("xref")))
        detail = (
            f"Not listed in {catalog.sources[successor.pk].citation}, in force on "
            f"{on.isoformat()}. It was last listed in {catalog.sources[last.pk].citation}."
        )
        status = Status(
            "deleted", f"Deleted (not valid from {ended.isoformat()})", detail, replaced
        )
        return _Timeline(rows[last.pk], last, status, notice)
    first = listing[0]
    detail = (
        f"Not valid on {on.isoformat()}: it first appears in "
        f"{catalog.sources[first.pk].citation}, effective {first.effective_from.isoformat()}."
    )
    status = Status("not_yet_valid", f"Not yet valid on {on.isoformat()}", detail)
    return _Timeline(rows[first.pk], first, status, notice)


def _lists_family(release: Release, code: str) -> bool:
    upper = chr(ord(code[0]) + 1)
    return Code.objects.filter(release_id=release.pk, code__gte=code[0], code__lt=upper).exists()


def _active_status(
    row: Code,
    release: Release,
    on: dt.date,
    dataset_releases: Sequence[Release],
    rows: dict[int, Code],
) -> Status:
    attrs = row.attributes or {}
    if row.terminated_on and on > row.terminated_on:
        replaced = tuple(panels.split_values(attrs.get("xref")))
        return Status(
            "deleted",
            f"Deleted (valid through {row.terminated_on.isoformat()})",
            f"Terminated: the code could be reported through {row.terminated_on.isoformat()}.",
            replaced,
        )
    pfs_status = str(attrs.get("pfs_status", ""))
    if pfs_status in {"D", "F"}:
        return Status(
            "deleted",
            "Deleted",
            f"The Medicare fee schedule marks it deleted (status {pfs_status}): "
            + explain.PFS_STATUS[pfs_status],
        )
    action = row.action_code
    when = row.action_on or row.added_on
    if action == "A" and when:
        return Status(
            "added", f"Added {when.isoformat()}", f"Added to the code set on {when.isoformat()}."
        )
    if action in {"B", "C", "S", "F", "P", "T", "R"} and when:
        return Status(
            "revised",
            f"Revised {when.isoformat()}",
            f"{explain.HCPCS_ACTION.get(action, '')} Effective {when.isoformat()}.".strip(),
        )
    earlier = [
        r
        for r in dataset_releases
        if r.dataset == release.dataset and r.effective_from < release.effective_from
    ]
    if earlier:
        previous = earlier[-1]
        if previous.pk not in rows:
            return Status(
                "added",
                f"Added {release.effective_from.isoformat()}",
                f"New in {release.version_label}: not in {previous.version_label}.",
            )
        if rows[previous.pk].description != row.description:
            return Status(
                "revised",
                f"Revised {release.effective_from.isoformat()}",
                f"The description changed in {release.version_label}.",
            )
    # The release is named in the dates list below the heading; nothing more to say here.
    return Status("active", "Active", "")


def _coverage_notice(on: dt.date, release: Release, label: str) -> str:
    if on > dt.date.today() + dt.timedelta(days=366):
        return (
            f"{on.isoformat()} is far in the future: the page shows the latest loaded "
            f"{label} release ({release.version_label}), which may change before then."
        )
    if release.effective_to and on > release.effective_to:
        return (
            f"No loaded {label} release covers {on.isoformat()}: the page shows "
            f"{release.version_label} (effective {release.effective_from.isoformat()} to "
            f"{release.effective_to.isoformat()}), the latest before it."
        )
    return ""


def _date_notice(on: dt.date, releases: Sequence[Release], catalog: ReleaseCatalog) -> str:
    """For pages without code rows of their own: the notice from the data releases used."""
    if not releases:
        return ""
    earliest = min(releases, key=lambda r: r.effective_from)
    if on < earliest.effective_from:
        return (
            f"{on.isoformat()} is before the earliest loaded release used here "
            f"({catalog.sources[earliest.pk].citation}, effective "
            f"{earliest.effective_from.isoformat()}); the page shows the nearest releases."
        )
    latest = max(releases, key=lambda r: r.effective_from)
    return _coverage_notice(on, latest, catalog.sources[latest.pk].title)


def _dates(row: Code | None, release: Release | None, catalog: ReleaseCatalog) -> tuple[Fact, ...]:
    facts: list[Fact] = []
    if release is not None:
        window = release.effective_from.isoformat() + (
            f" to {release.effective_to.isoformat()}" if release.effective_to else ""
        )
        source = catalog.sources[release.pk]
        facts.append(Fact("Release", f"{source.title} {source.version_label}"))
        facts.append(Fact("Release in effect", window))
    if row is not None:
        for label, value in (
            ("Added", row.added_on),
            ("Last change effective", row.action_on),
            ("Terminated", row.terminated_on),
        ):
            if value:
                facts.append(Fact(label, value.isoformat()))
    return tuple(facts)


CPT_NOT_LOADED = (
    "The official CPT descriptor is not loaded on this install: CPT descriptors are licensed "
    "by the American Medical Association, and this site has not imported a licensed file. "
    "The heading above is medcode's own wording (our title, or our name for the code's "
    "range), not the descriptor. What this page can show without it: the public CMS data on "
    "the code (Medicare payment and indicators, global period, NCCI edits, MUEs, OPPS status) "
    "and any editorial text of ours. What it cannot show: the AMA's descriptor, its "
    "guidelines and parenthetical notes. The operator of this site can add the descriptors by "
    "importing their own licensed CPT data file (AMA licence required; the data import's "
    "licensed-CPT option, described in the operator's README); they are then shown on this "
    "install only."
)

CDT_NOT_SHOWN = (
    "The official descriptor of this CDT (dental) code belongs to the American Dental "
    "Association and is not loaded on this install."
)

CPT_MODIFIER_NOTICE = (
    "The official descriptor of this CPT modifier is AMA text and is not reproduced here; "
    "the explanation below is our own."
)

CPT_MODIFIER_STATUS = (
    "A Level I (CPT) modifier. Whether and how it is paid with a code follows that code's "
    "fee-schedule and NCCI indicators."
)


def _official_from_row(
    system: str, code: str, row: Code | None, release: Release | None, catalog: ReleaseCatalog
) -> OfficialDescription:
    source = catalog.sources.get(release.pk) if release is not None else None
    if system == "CPT":
        return OfficialDescription("", None, False, CPT_NOT_LOADED)
    if system == "HCPCS" and code.startswith("D"):
        return OfficialDescription("", None, False, CDT_NOT_SHOWN)
    if system == "MODIFIER" and mods.is_cpt_modifier(code) and (row is None or not row.description):
        return OfficialDescription("", None, False, CPT_MODIFIER_NOTICE)
    if row is None or not row.description:
        return OfficialDescription("", source, False, "No official description is loaded.")
    return OfficialDescription(row.description, source, False, "")

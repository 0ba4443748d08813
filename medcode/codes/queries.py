"""Reads from the code store: releases in force on a date, code lookups and code pages.

`code_page` (page/build.py) is the one query behind a code's HTML page, its JSON twin, the CLI and
the assistant; this module resolves what a user typed (`resolve_code`, `lookup_code`,
`nearest_codes`) and re-exports the page query so callers have one place to import from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from medcode.codes.catalog import SYSTEM_LABELS, ReleaseCatalog, clear_caches, release_catalog
from medcode.codes.models import (
    Code,
    FeeScheduleItem,
    LicensedDescriptor,
    MueLimit,
    OppsItem,
    Release,
)
from medcode.codes.page import modifiers as mods
from medcode.codes.page.build import (
    CDT_NOT_SHOWN,
    CPT_MODIFIER_NOTICE,
    CPT_NOT_LOADED,
    CodeNotFound,
    CodePage,
    CodeRef,
    CodeRow,
    code_page,
    code_rows,
    default_title,
    row_field,
    with_also,
)
from medcode.codes.page.reads import article_title
from medcode.lib.codeshapes import PROCEDURE_CODE, system_of
from medcode.lib.in_force import newest_in_force
from medcode.ops import datacache

__all__ = [
    "CDT_NOT_SHOWN",
    "CPT_MODIFIER_NOTICE",
    "CPT_NOT_LOADED",
    "SYSTEM_LABELS",
    "CodeNotFound",
    "CodePage",
    "CodeRef",
    "ReleaseCatalog",
    "cached_code_page",
    "clear_caches",
    "code_page",
    "release_catalog",
]


def release_status() -> dict[str, Any]:
    """Every loaded release with its row counts; billable counts for code releases."""
    billable = dict(
        Code.objects.values_list("release_id")
        .annotate(n=Count("id", filter=Q(is_billable=True)))
        .values_list("release_id", "n")
    )
    releases = []
    for r in Release.objects.order_by("dataset", "-effective_from", "-pk"):
        counts = dict(r.row_counts)
        if "codes" in counts:
            counts["billable"] = billable.get(r.pk, 0)
        releases.append(
            {
                "dataset": r.dataset,
                "title": r.get_dataset_title(),
                "code_system": r.code_system,
                "version_label": r.version_label,
                "effective_from": r.effective_from.isoformat(),
                "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                "source_file": r.source_file,
                "sha256": r.sha256,
                "row_counts": counts,
                "imported_at": r.imported_at.isoformat(),
                "is_current": r.is_current,
            }
        )
    return {"releases": releases}


def release_in_force(*, table: str, on: dt.date, system: str | None = None) -> Release | None:
    """The release whose `table` rows describe `on`: the latest that took effect by then.

    Falls back to the earliest release when `on` comes before every release.
    """
    releases = Release.objects.filter(row_counts__has_key=table)
    if system is not None:
        releases = releases.filter(code_system=system)
    return newest_in_force(list(releases), on)


SYSTEM_ORDER = ("CPT", "HCPCS", "MODIFIER", "ICD10CM", "ICD10PCS", "POS")

# A place-of-service code never takes over a page from another code set ("50" is modifier 50
# first); the page links it instead.
SECONDARY_SYSTEMS = frozenset({"POS"})

CODE_TEXT = re.compile(r"^[0-9A-Z]{1,7}(?:\.[0-9A-Z]{0,4})?$")

MALFORMED_CODE = "That is not a code: codes are letters and digits, at most 8, with one dot."


class MalformedCode(ValueError):
    pass


def normalise_code(text: str) -> str:
    """Upper case, trimmed; raises MalformedCode for anything that cannot be a code."""
    value = (text or "").strip().upper()
    if not CODE_TEXT.match(value):
        raise MalformedCode(MALFORMED_CODE)
    return value


def resolve_code(text: str) -> list[CodeRef]:
    """The codes `text` names, one per code set (dotted or undotted, any case)."""
    return _resolve(text)[0]


def _resolve(text: str) -> tuple[list[CodeRef], list[CodeRow]]:
    """`resolve_code`'s answer, and the code's rows it was read from (`code_rows`: every
    column, every code set), which the code page reads again otherwise."""
    value = normalise_code(text)
    rows = code_rows(value.replace(".", ""))
    return _refs(value, rows), rows


def _refs(value: str, rows: list[CodeRow]) -> list[CodeRef]:
    """The codes `value` (normalised) names, from its code's rows."""
    dotted = "." in value
    code = value.replace(".", "")
    catalog = release_catalog()
    order = {r.pk: i for i, r in enumerate(catalog.releases)}
    latest: dict[str, tuple[int, str, str]] = {}
    for row in rows:
        system, display = row_field(row, "system"), row_field(row, "display")
        if dotted and "." not in display:
            continue
        rank = order.get(row_field(row, "release_id"), -1)
        if system not in latest or rank > latest[system][0]:
            title = row_field(row, "long_description") or row_field(row, "short_description")
            latest[system] = (rank, display, title)
    refs = {
        system: CodeRef(system, SYSTEM_LABELS.get(system, system), code, display, title)
        for system, (_, display, title) in latest.items()
    }
    if not dotted:
        _add_data_only_refs(code, refs)
    for ref in list(refs.values()):
        if not ref.title:
            refs[ref.system] = _with_title(ref, default_title(ref.system, ref.code))
    return sorted(refs.values(), key=lambda r: SYSTEM_ORDER.index(r.system))


def _add_data_only_refs(code: str, refs: dict[str, CodeRef]) -> None:
    """Codes known from fee/OPPS/NCCI rows or editorial articles but with no Code row."""
    shaped = (system_of(code) or "") if PROCEDURE_CODE.match(code) else ""
    if shaped and shaped not in refs and _in_procedure_tables(code):
        refs[shaped] = CodeRef(shaped, SYSTEM_LABELS[shaped], code, code, "")
    if (
        len(code) == 2
        and "MODIFIER" not in refs
        and (code in mods.CPT_MODIFIERS or article_title("MODIFIER", code) != "")
    ):
        refs["MODIFIER"] = CodeRef("MODIFIER", SYSTEM_LABELS["MODIFIER"], code, code, "")
    if shaped and shaped not in refs and article_title(shaped, code) != "":
        refs[shaped] = CodeRef(shaped, SYSTEM_LABELS[shaped], code, code, "")


def _in_procedure_tables(code: str) -> bool:
    tables = (FeeScheduleItem, OppsItem, LicensedDescriptor, MueLimit)
    first, *rest = [m.objects.filter(code=code).values_list("code") for m in tables]
    return bool(list(first.union(*rest)[:1]))


def _with_title(ref: CodeRef, title: str) -> CodeRef:
    return CodeRef(ref.system, ref.system_label, ref.code, ref.display, title)


def nearest_codes(text: str, *, limit: int = 8) -> list[CodeRef]:
    """Loaded codes that start like `text`, for a 'did you mean' list (longest prefix first)."""
    value = re.sub(r"[^0-9A-Z]", "", (text or "").upper())[:8]
    if not value:
        return []
    catalog = release_catalog()
    current = {r.pk for r in catalog.releases if r.is_current and "codes" in r.row_counts}
    for length in range(len(value), 0, -1):
        prefix = value[:length]
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = (
            Code.objects.filter(release_id__in=current, code__gte=prefix, code__lt=upper)
            .exclude(code=value)
            .order_by("code", "system")
            .values_list("system", "code", "display", "short_description", "long_description")
        )[: limit * 2]
        found: dict[tuple[str, str], CodeRef] = {}
        for system, code, display, short, long in rows:
            found.setdefault(
                (system, code),
                CodeRef(system, SYSTEM_LABELS.get(system, system), code, display, long or short),
            )
        if found:
            return [
                r if r.title else _with_title(r, default_title(r.system, r.code))
                for r in list(found.values())[:limit]
            ]
    return []


BAD_DATE = "The date must be a real calendar date written YYYY-MM-DD (for example 2026-04-01)."

UNKNOWN_SYSTEM = "Unknown code set: use one of {systems}."


class BadDate(ValueError):
    pass


class UnknownSystem(ValueError):
    pass


def parse_service_date(text: str | None, *, today: dt.date) -> dt.date:
    """`?date=` as a date of service; blank means today."""
    if text is None or not text.strip():
        return today
    value = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise BadDate(BAD_DATE)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadDate(BAD_DATE) from None


@dataclass(frozen=True)
class Lookup:
    """What a typed code leads to: a page, a choice between code sets, or nearest codes."""

    text: str
    page: CodePage | None
    choices: tuple[CodeRef, ...] = ()
    nearest: tuple[CodeRef, ...] = ()
    # Whether the canonical URL needs ?system= (the printed code exists in several sets).
    needs_system: bool = False


def lookup_code(text: str, *, system: str | None, on: dt.date) -> Lookup:
    """Resolve `text` (raising MalformedCode) and build the page when it names one code.

    Kept in the data cache (medcode.ops.datacache) until the next import.
    """
    value = normalise_code(text)
    if system is not None:
        system = system.strip().upper()
        if system not in SYSTEM_LABELS:
            raise UnknownSystem(UNKNOWN_SYSTEM.format(systems=", ".join(SYSTEM_ORDER)))
    return _lookup(value, system, on)


NO_PAGE = "no page"


def cached_code_page(system: str, code: str, on: dt.date) -> CodePage:
    """`code_page`, kept in the data cache until the next import (for callers that read many
    pages, such as CasePilot). Raises CodeNotFound like code_page."""
    found = _page_or_marker(system, code.replace(".", "").strip().upper(), on)
    if isinstance(found, str):
        raise CodeNotFound(f"{system} {code}")
    return found


@datacache.cached("page")
def _page_or_marker(system: str, code: str, on: dt.date) -> CodePage | str:
    try:
        return code_page(system, code, on)
    except CodeNotFound:
        return NO_PAGE


@datacache.cached("lookup")
def _lookup(value: str, system: str | None, on: dt.date) -> Lookup:
    refs, rows = _resolve(value)
    if system is not None:
        chosen = [r for r in refs if r.system == system]
        others = [r for r in refs if r.system != system]
    else:
        primary = [r for r in refs if r.system not in SECONDARY_SYSTEMS]
        chosen = primary or refs
        others = [r for r in refs if r not in chosen]
    if len(chosen) > 1:
        return Lookup(value, None, choices=tuple(chosen))
    if not chosen:
        return Lookup(value, None, nearest=tuple(nearest_codes(value)))
    ref = chosen[0]
    try:
        page = code_page(ref.system, ref.code, on, rows=rows)
    except CodeNotFound:
        return Lookup(value, None, nearest=tuple(nearest_codes(value)))
    # The page's display names the same code (dotted, upper case): the same rows.
    shown = refs if page.display == value else _refs(normalise_code(page.display), rows)
    needs_system = len([r for r in shown if r.system not in SECONDARY_SYSTEMS]) > 1 or (
        ref.system in SECONDARY_SYSTEMS and len(shown) > 1
    )
    return Lookup(value, with_also(page, others), needs_system=needs_system)

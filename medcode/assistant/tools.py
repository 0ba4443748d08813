"""CasePilot's tools: thin wrappers over the project's own queries, each returning cited facts.

Code facts come from `codes.queries.code_page` (the query behind every code page), words from
`search.facade.search`, claims from `claims.services.check_claim_data`, editorial text from
`content.articles`. Three reads have no shared query yet and are written here, small, until
they move to their apps: the exact NCCI pair lookup (`ptp_pair`), the MUE and add-on rows of a
code (`mue_limits`, `addon_rows`) and the coverage tables (`coverage_of`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import strip_tags

from medcode.assistant.facts import Citation, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.knowledge import Entry
from medcode.claims import articles
from medcode.codes.models import AddOnEdit, MueLimit, PtpEdit, ReferenceRow, Release
from medcode.codes.page import modifiers as mods
from medcode.codes.page import panels
from medcode.codes.page.panels import Panel
from medcode.codes.queries import CodeNotFound, CodePage, cached_code_page, release_catalog
from medcode.content.articles import load_article
from medcode.ops import datacache

# Fact labels of the code page panels (medcode/codes/page/panels.py) the answers read.
STATUS = "Status"
NONFAC_PAYMENT = "Non-facility national payment"
FAC_PAYMENT = "Facility national payment"
CONVERSION_FACTOR = "Conversion factor"
GLOBAL = "Global period"
PCTC = "PC/TC indicator"
MULTIPLE = "Multiple procedures (51)"
BILATERAL = "Bilateral surgery (50)"
ASSISTANT = "Assistant at surgery (80/81/82/AS)"
CO_SURGEONS = "Co-surgeons (62)"
TEAM = "Team surgery (66)"
OPPS_SI = "Status indicator"
OPPS_RATE = "National payment rate"
HCPCS_COVERAGE = "Coverage code"
HCPCS_PRICING = "Pricing indicator"
SEVERITY = "Severity"


def plain(html: str) -> str:
    """Text of sanitised editorial HTML, on one line."""
    return " ".join(strip_tags(html).split())


# --- Code pages ---------------------------------------------------------------------------------


def page_of(check: CodeCheck, on: dt.date) -> CodePage | None:
    """The code page of a checked code (None when the code is not in the loaded data)."""
    if check.status == "not_found" or not check.system:
        return None
    try:
        return cached_code_page(check.system, check.code, on)
    except CodeNotFound:
        return None


def panel(page: CodePage | None, key: str) -> Panel | None:
    if page is None:
        return None
    return next((p for p in page.panels if p.key == key or p.key.startswith(key + "_")), None)


def panel_fact(page: CodePage | None, key: str, label: str) -> panels.Fact | None:
    found = panel(page, key)
    if found is None:
        return None
    return next((f for f in found.facts if f.label == label), None)


def cite_panel(check: CodeCheck, found: Panel) -> Citation:
    return Citation(f"{check.display}: {found.title}", check.url, found.source.citation)


def cite_code(check: CodeCheck) -> Citation:
    return Citation(f"{check.label} code page", check.url, check.release)


def fact_from_panel(check: CodeCheck, page: CodePage | None, key: str, label: str) -> Fact | None:
    """'Global period: 010 (10-day global: ...)' with the panel's release as citation."""
    found = panel(page, key)
    value = panel_fact(page, key, label)
    if found is None or value is None or not value.value:
        return None
    meaning = f" ({value.meaning.rstrip('.')})" if value.meaning else ""
    return Fact(
        f"{check.display} {label.lower()}: {value.value}{meaning}.", cite_panel(check, found)
    )


def describe(check: CodeCheck, page: CodePage | None) -> str:
    """One line saying what a code is, in public-domain or our own words (never AMA text)."""
    if page is None:
        return check.title
    if page.official.text and not page.official.is_licensed:
        return page.official.text
    if page.editorial is not None:
        return page.editorial.title
    return page.title


def editorial_fact(check: CodeCheck, page: CodePage | None, section: str) -> Fact | None:
    """A section of our editorial article for the code, as one cited fact."""
    if page is None or page.editorial is None:
        return None
    html = {
        "plain": page.plain_language_html if page.plain_language_is_editorial else "",
        "what_it_is": page.what_it_is_html,
        "not_covered": page.not_covered_html,
        "billing": page.billing_html,
        "documentation": page.documentation_html,
        "modifiers": page.modifier_notes_html,
    }.get(section, "")
    text = plain(html)
    if not text:
        return None
    release = f"medcode editorial, reviewed {page.editorial.updated.isoformat()}"
    if page.editorial.sources:
        release += f" (sources: {'; '.join(page.editorial.sources)})"
    return Fact(text, Citation(f"{check.display}: {page.editorial.title}", check.url, release))


# --- Knowledge base -------------------------------------------------------------------------


def kb_url(entry: Entry) -> str:
    return reverse("assistant:knowledge", args=[entry.slug])


def kb_citation(entry: Entry) -> Citation:
    return Citation(entry.title, kb_url(entry), entry.citation)


def kb_facts(entry: Entry, *, limit: int = 6) -> list[Fact]:
    citation = kb_citation(entry)
    return [Fact(point, citation) for point in entry.points[:limit]]


# --- NCCI: procedure-to-procedure pairs, MUEs, add-on codes -------------------------------------


@dataclass(frozen=True)
class PtpHit:
    table: str  # the dataset title ("NCCI PTP practitioner ...")
    column_1: str
    column_2: str
    modifier_indicator: str
    rationale: str
    effective_on: dt.date | None
    deleted_on: dt.date | None
    citation: str


def ptp_tables(on: dt.date) -> list[Release]:
    return release_catalog().in_force("ptp_edits", on)


def ptp_pair(first: str, second: str, on: dt.date) -> list[PtpHit]:
    """NCCI PTP edits between two codes, either way round, active on `on`, in each table."""
    releases = ptp_tables(on)
    if not releases:
        return []
    catalog = release_catalog()
    active = (Q(effective_on__isnull=True) | Q(effective_on__lte=on)) & (
        Q(deleted_on__isnull=True) | Q(deleted_on__gte=on)
    )
    rows: list[tuple[Any, ...]] = []
    # One lookup per direction: each is a seek on the (release, column_1) index, where an OR
    # of the two would scan the table.
    for column_1, column_2 in ((first, second), (second, first)):
        rows += PtpEdit.objects.filter(
            active,
            release_id__in=[r.pk for r in releases],
            column_1=column_1,
            column_2=column_2,
        ).values_list(
            "release_id",
            "column_1",
            "column_2",
            "modifier_indicator",
            "rationale",
            "effective_on",
            "deleted_on",
        )
    hits = []
    for release_id, c1, c2, indicator, rationale, effective, deleted in rows:
        source = catalog.sources[release_id]
        hits.append(
            PtpHit(source.title, c1, c2, indicator, rationale, effective, deleted, source.citation)
        )
    return sorted(set(hits), key=lambda h: (h.table, h.column_1))


@dataclass(frozen=True)
class MueHit:
    service_type: str
    value: int
    mai: int
    rationale: str
    citation: str


def mue_limits(code: str, on: dt.date) -> list[MueHit]:
    """The MUE of a code per table (practitioner, outpatient hospital, DME supplier).

    Where several releases are in force (a newer partial table over an older full one) the
    newest release listing the code for that table wins.
    """
    catalog = release_catalog()
    releases = catalog.in_force("mue_limits", on)
    order = {r.pk: (r.effective_from, r.pk) for r in releases}
    chosen: dict[str, tuple[Any, MueLimit]] = {}
    for row in MueLimit.objects.filter(release_id__in=list(order), code=code):
        rank = order[row.release_id]
        if row.service_type not in chosen or rank > chosen[row.service_type][0]:
            chosen[row.service_type] = (rank, row)
    return [
        MueHit(
            row.service_type,
            row.value,
            row.mai,
            row.rationale,
            catalog.sources[row.release_id].citation,
        )
        for _, (_, row) in sorted(chosen.items())
    ]


@dataclass(frozen=True)
class AddOnRows:
    primaries: tuple[tuple[str, int], ...]  # when the code is an add-on: (primary, type)
    addons: tuple[tuple[str, int], ...]  # when the code is a primary: (add-on, type)
    citation: str


def addon_rows(code: str, on: dt.date) -> AddOnRows | None:
    catalog = release_catalog()
    releases = catalog.in_force("addon_edits", on)[-1:]
    if not releases:
        return None
    release = releases[0]
    active = (Q(effective_on__isnull=True) | Q(effective_on__lte=on)) & (
        Q(deleted_on__isnull=True) | Q(deleted_on__gte=on)
    )
    rows = list(
        AddOnEdit.objects.filter(active, Q(addon=code) | Q(primary=code), release_id=release.pk)
        .order_by("addon", "primary")
        .values_list("addon", "primary", "edit_type")
    )
    return AddOnRows(
        tuple((p, t) for a, p, t in rows if a == code),
        tuple((a, t) for a, p, t in rows if p == code),
        catalog.sources[release.pk].citation,
    )


# --- Modifiers and places of service ----------------------------------------------------------


@dataclass(frozen=True)
class ModifierInfo:
    check: CodeCheck
    name: str  # our short name or the CMS short description
    official: str  # the CMS description (HCPCS Level II modifiers); "" for CPT modifiers
    explanation: str  # our own words, from the editorial article or the built-in list
    article_release: str


def modifier_info(check: CodeCheck, on: dt.date) -> ModifierInfo:
    code = check.code
    article = load_article("MODIFIER", code)
    explained = mods.modifier_explanation(code)
    name = article.title if article else (explained[0] if explained else check.title)
    explanation = ""
    if article is not None:
        explanation = plain(article.sections.get("description", ""))
    if not explanation and explained is not None:
        explanation = explained[1]
    official = check.title if check.release and "built in" not in check.release else ""
    release = (
        f"medcode editorial, reviewed {article.updated.isoformat()}"
        if article is not None
        else "medcode modifier notes (built in)"
    )
    return ModifierInfo(check, name, official, explanation, release)


@dataclass(frozen=True)
class PlaceOfService:
    check: CodeCheck
    name: str
    description: str
    setting: str  # facility or nonfacility


def place_of_service(check: CodeCheck) -> PlaceOfService | None:
    from medcode.codes.models import Code

    if not check.is_valid:
        return None
    row = (
        Code.objects.filter(system="POS", code=check.code)
        .order_by("-release__effective_from")
        .values_list("short_description", "long_description", "attributes")
        .first()
    )
    if row is None:
        return None
    return PlaceOfService(check, row[0], row[1], str((row[2] or {}).get("setting", "")))


# --- Coverage -----------------------------------------------------------------------------------

LOCAL_NOT_LOADED = (
    "Local coverage (LCDs and their billing and coding articles) is decided by each Medicare "
    "Administrative Contractor for its own jurisdiction. This install holds only the DME LCD "
    "code lists and a partial, approximate article crosswalk (about 500 procedure codes), not "
    "the LCD texts: check the Medicare Coverage Database for your contractor."
)


@dataclass(frozen=True)
class NcdRef:
    section: str
    title: str
    coverage: str
    citation: str


@dataclass(frozen=True)
class CoverageInfo:
    lcd_ids: tuple[int, ...]
    lcd_citation: str
    article_covered: int
    article_noncovered: int
    article_lcds: tuple[str, ...]
    article_citation: str
    pair_status: str  # for a diagnosis asked with the code: covered, noncovered or ""
    ncds: tuple[NcdRef, ...]


_STOP_WORDS = (
    "implantable implanted device devices services service therapy therapies includes include "
    "other each with without system systems single dual array supply supplies procedure "
    "procedures patient patients hospital inpatient outpatient program programs extension "
    "replacement medical equipment unspecified specified code codes"
)
_STOP = frozenset(_STOP_WORDS.split())


def stem(word: str) -> str:
    """A plural's singular, roughly: "stimulators" -> "stimulator" (not "class")."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def coverage_of(
    code: str, on: dt.date, *, title: str = "", diagnosis: str | None = None
) -> CoverageInfo:
    """The coverage tables' rows about a procedure code (and a diagnosis with it)."""
    catalog = release_catalog()
    lcd_ids: list[int] = []
    lcd_citation = ""
    for release in catalog.in_force("lcd_hcpcs", on)[-1:]:
        lcd_citation = catalog.sources[release.pk].citation
        for data in _reference_rows(release.pk, "lcd_hcpcs", code):
            if int(data.get("lcd_id", 0)) not in lcd_ids:
                lcd_ids.append(int(data.get("lcd_id", 0)))
    covered = noncovered = 0
    lcds: list[str] = []
    pair = ""
    article_citation = ""
    for release in catalog.in_force("article_icd10", on)[-1:]:
        article_citation = catalog.sources[release.pk].citation
        for listed, status, named in _crosswalk(release.pk, code):
            if status == "covered":
                covered += 1
            else:
                noncovered += 1
            for lcd in named:
                if lcd not in lcds:
                    lcds.append(lcd)
            if diagnosis and listed == diagnosis:
                pair = status
    return CoverageInfo(
        tuple(sorted(lcd_ids)),
        lcd_citation,
        covered,
        noncovered,
        tuple(lcds),
        article_citation,
        pair,
        tuple(matching_ncds(title, on)),
    )


def _crosswalk(release_id: int, code: str) -> list[tuple[str, str, list[str]]]:
    """The LCD article crosswalk rows of a procedure code: (ICD-10-CM code, status, LCD ids).

    From the claim check's indexed copy (medcode.claims.articles), made once per release: a
    scan of the release's 208k reference rows took about 33 ms a question. The scan is the
    fallback while another process is making the copy."""
    found = articles.listed(release_id, code)
    if found is not None:
        return [(listed, status, lcd_ids.split()) for listed, status, lcd_ids in found]
    return [
        (
            str(data.get("icd10cm", "")),
            str(data.get("status", "")),
            [str(lcd) for lcd in data.get("lcd_ids", [])],
        )
        for data in _reference_rows(release_id, "article_icd10", code)
    ]


@datacache.cached("reference-rows", keep_when_off=True)
def _reference_rows(release_id: int, key: str, code: str) -> list[dict[str, Any]]:
    """Reference rows whose data names `code` under "hcpcs", kept in the data cache until the
    next import.

    ReferenceRow keeps its data as JSON with no index on its keys, so this is a scan of the
    release's rows, written per database: a cheap text test before the JSON one on SQLite,
    the ->> operator on PostgreSQL.
    """
    import json

    if connection.vendor == "postgresql":
        sql = (
            "SELECT data FROM codes_referencerow WHERE release_id = %s AND key = %s "
            "AND data->>'hcpcs' = %s"
        )
        params: list[Any] = [release_id, key, code]
    else:
        sql = (
            "SELECT data FROM codes_referencerow WHERE release_id = %s AND key = %s "
            "AND instr(data, %s) > 0 AND json_extract(data, '$.hcpcs') = %s"
        )
        params = [release_id, key, code, code]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [json.loads(d) if isinstance(d, str) else dict(d) for (d,) in cursor.fetchall()]


@datacache.cached("ncd-rows", keep_when_off=True)
def _ncd_rows(release_id: int) -> list[dict[str, Any]]:
    """Every NCD row of a release, kept in the data cache until the next import."""
    rows = ReferenceRow.objects.filter(release_id=release_id, key="ncd")
    return list(rows.values_list("data", flat=True))


def matching_ncds(title: str, on: dt.date, *, limit: int = 2) -> list[NcdRef]:
    """NCDs whose title or keywords share a distinctive word with `title` (a hint, not a rule)."""
    words = {stem(w) for w in re.findall(r"[a-z]{6,}", title.lower()) if w not in _STOP}
    if not words:
        return []
    catalog = release_catalog()
    found: list[tuple[int, NcdRef]] = []
    for release in catalog.in_force("ncd", on)[-1:]:
        rows = _ncd_rows(release.pk)
        citation = catalog.sources[release.pk].citation
        for data in rows:
            if data.get("date_end") not in (None, "", "None"):
                continue
            haystack = f"{data.get('title', '')} {data.get('keyword', '')}".lower()
            hay_words = {stem(w) for w in re.findall(r"[a-z]{6,}", haystack) if w not in _STOP}
            score = sum(1 for w in words if any(w in h or h in w for h in hay_words))
            if score:
                ref = NcdRef(
                    str(data.get("section", "")),
                    str(data.get("title", "")),
                    str(data.get("coverage", "")),
                    citation,
                )
                found.append((score, ref))
    found.sort(key=lambda item: (-item[0], item[1].section))
    return [ref for _, ref in found[:limit]]


# --- Search and claim check ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    system: str
    code: str
    display: str
    title: str
    url: str
    is_billable: bool


def search_codes(
    words: str, on: dt.date | None, *, systems: Sequence[str] | None = None, limit: int = 5
) -> tuple[list[Candidate], str]:
    """Codes matching words (the Case2Code search), and the search's message or notice."""
    from medcode.search.facade import SearchInputError, search

    try:
        found = search(
            words, system=list(systems) if systems else None, on=on, limit=limit, semantic=False
        )
    except SearchInputError as exc:
        return [], str(exc)
    results = [
        Candidate(r.system, r.code, r.display, r.title, r.url, r.is_billable)
        for r in found.results
        if r.system != "MODIFIER"
    ]
    return results, found.message


def check_claim(
    lines: Iterable[dict[str, Any]], diagnoses: Sequence[str], setting: str
) -> tuple[list[dict[str, Any]], dict[str, str], str]:
    """Findings of the claim check for the lines, its sources, and an input error if any."""
    from medcode.claims.services import ClaimInputError, check_claim_data

    data: dict[str, Any] = {"lines": list(lines), "setting": setting}
    if diagnoses:
        data["diagnoses"] = list(diagnoses)
    try:
        result = check_claim_data(data)
    except ClaimInputError as exc:
        return [], {}, "; ".join(e.message for e in exc.errors)
    payload = result.as_dict()
    return list(payload["findings"]), dict(payload["sources"]), ""


# --- Fee schedule rows (PFS indicators, status and payment flags) ---------------------------------


@dataclass(frozen=True)
class FeeInfo:
    code: str
    modifier: str  # "" for the global row, "26" or "TC" for the component rows
    status: str
    not_used_for_payment: bool  # the RVU file's "+": RVUs shown are not used for Medicare payment
    nonfac_total: float | None
    facility_total: float | None
    nonfac_na: bool
    facility_na: bool
    conv_factor: float | None
    global_days: str
    pctc: str
    mult_proc: str
    bilateral: str
    assistant: str
    co_surgeon: str
    team: str
    release: str  # the release's version label ("RVU25D")
    citation: str


def fee_rows(code: str, on: dt.date) -> list[FeeInfo]:
    """The code's rows in the PFS relative value file in force on `on` (global row first)."""
    from medcode.codes.models import FeeScheduleItem

    catalog = release_catalog()
    releases = catalog.in_force("fee_items", on)[-1:]
    if not releases:
        return []
    release = releases[0]
    rows = FeeScheduleItem.objects.filter(release_id=release.pk, code=code)
    found = [
        FeeInfo(
            r.code,
            r.modifier,
            r.status_code,
            bool((r.attributes or {}).get("not_used_for_medicare_payment")),
            r.nonfac_total,
            r.facility_total,
            r.nonfac_na,
            r.facility_na,
            r.conv_factor,
            r.global_days,
            r.pctc_ind,
            r.mult_proc_ind,
            r.bilat_surg_ind,
            r.asst_surg_ind,
            r.co_surg_ind,
            r.team_surg_ind,
            release.version_label,
            catalog.sources[release.pk].citation,
        )
        for r in rows
    ]
    return sorted(found, key=lambda f: (f.modifier != "", f.modifier))


def amount(total: float | None, factor: float | None) -> float | None:
    """National payment: total RVUs x conversion factor, rounded to the cent."""
    if total is None or factor is None:
        return None
    return round(total * factor + 1e-9, 2)


def children_of(page: CodePage | None) -> list[tuple[str, str]]:
    """The codes right below a code on its page: (code as printed, title)."""
    if page is None:
        return []
    for group in page.related:
        if group.key == "children":
            return [(c.code, c.title) for c in group.codes]
    return []


def stale_notices(on: dt.date, families: Sequence[str]) -> list[str]:
    """The stale-data sentence of each dataset family an answer rests on, when the date of
    service is after the newest loaded release ("NCCI PTP edits for 2026-12-05 are not loaded;
    the newest loaded are 2024Q3 ...")."""
    from medcode.codes import staleness

    found = []
    for key in families:
        sentence = staleness.notice(key, on)
        if sentence and sentence not in found:
            found.append(sentence)
    return found

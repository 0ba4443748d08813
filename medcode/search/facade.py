"""One search box over every code set: the function the page, the htmx partial, the API and
the CLI all call.

`search(q)` takes a code, a prefix, a range, a modifier or words: codes are looked up
exactly first (an index seek, never the full-text engine), then words go to the lexical
backend (SQLite FTS5 or PostgreSQL full text) and, when vectors are built, to the semantic
layer; the two rankings are fused (hybrid.py). `search_note(text)` is case mode.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Any, Literal
from urllib.parse import quote, urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from medcode.codes.gems import gem_search_notice, icd10cm_for_icd9
from medcode.codes.models import CodeSystem, Release
from medcode.lib.in_force import each_dataset_in_force
from medcode.ops.metrics import SEARCH_SECONDS
from medcode.ops.routers import reference_connection
from medcode.search.backends import (
    MARK_END,
    MARK_START,
    Filters,
    Hit,
    Marked,
    Operator,
    document_ids,
    filter_sql,
    get_backend,
)
from medcode.search.drug_table import (
    ADVERSE,
    allergy_status_codes,
    intent_column,
    load_drug_table,
    table_codes,
)
from medcode.search.external_causes import own_words
from medcode.search.hybrid import LEXICAL_FUSION, WORD_FUSION, fuse, fuse_ranked
from medcode.search.models import Document, Word
from medcode.search.pcs_build import with_built
from medcode.search.procedures import pcs_words, title_words
from medcode.search.querytext import (
    LAY_SYNONYMS,
    STOP_WORDS,
    CodeTerm,
    Group,
    ParsedQuery,
    expand_synonyms,
    parse_query,
    side_words,
)
from medcode.search.ranking import (
    EXTERNAL_CUES,
    Kind,
    brand_generics,
    query_kind,
    query_trimester,
    rerank,
)
from medcode.search.readings import (
    allergy_readings,
    born_at_readings,
    congenital_readings,
    foreign_body_readings,
    is_allergy_status,
    maternity_readings,
    neoplasm_readings,
    newborn_readings,
    phobia_readings,
    vaccination_readings,
)
from medcode.search.statuses import generic_reading, is_drug_status, says_status, status_codes
from medcode.search.typos import correct_words

MatchKind = Literal["exact", "prefix", "range", "modifier", "parent", "words", "meaning", "gem"]

# User-facing messages (tests reuse them).
EMPTY_QUERY = "Type a code (63650, S72.001A, S72.0, 63650-63688) or words to search."
NOTHING_TO_SEARCH = "Nothing to search for: the query has no letters or digits."
NO_RESULTS = "No codes match {query!r} in the loaded releases."
NO_INDEX = "Search is not ready yet: the code index is being built. Try again in a minute."
LEXICAL_ONLY = "Ranked by words only: meaning-aware ranking is not ready yet."
UNKNOWN_SYSTEM = "Unknown code set {value!r}: use one of {choices}."
LIMIT_RANGE = "limit must be between 1 and {maximum}."
DID_YOU_MEAN = "Showing results for {corrected!r}."

QUERY_TOO_LONG = (
    "A search query may have at most {maximum:,} characters; paste longer text into case mode."
)

MAX_LIMIT = 100
MAX_QUERY_CHARS = 2000
LEXICAL_DEPTH = 60
SEMANTIC_DEPTH = 40
SEMANTIC_PROBES = 24
# A word in this many documents or more is "common" (see backends.COMMON_SAMPLE).
COMMON_WORD = 5000
# Fewer hits with every word than this: documents with some of the words follow.
FEW_HITS = 5
MAX_PHRASE_WORDS = 6
# A query read as an ICD-10-PCS procedure: its PCS hits join the fusion with this weight
# (words 1.0, meaning 0.4), chosen on search_lay_dev.jsonl.
PROCEDURE_WEIGHT = 2.0
# The codes the Alphabetic Index leads to from the query's words (index_reading_hits) join
# the fusion with this weight; the first INDEX_DEPTH of them.
INDEX_WEIGHT = 1.0
INDEX_DEPTH = 6
PROCEDURE_DEPTH = 20  # and at most this many PCS codes (fewer rows to rerank)
# The Table of Drugs' codes for a substance and an intent the query names (drug_table_hits)
# join the fusion with this weight, the first TABLE_DEPTH of them.
TABLE_WEIGHT = 2.0
TABLE_DEPTH = 3
# The External Cause Index's codes for how the query says an injury happened
# (external_cause_hits) join with this weight, the first EXTERNAL_DEPTH of them; they are
# not demoted as unasked when the query names a mechanism (ranking.EXTERNAL_CUES) or says
# one of CAUSE_WORDS.
# What the query says in a sentence (a pregnancy, a newborn, a cancer's spread, a fear:
# sentence_reading_hits) names the chapter or column it asks for: those codes join with this
# weight, the first SENTENCE_DEPTH of them, never demoted as unasked.
SENTENCE_WEIGHT = 2.0
SENTENCE_DEPTH = 4
EXTERNAL_WEIGHT = 1.0
EXTERNAL_DEPTH = 3
CAUSE_WORDS = frozenset({"external", "cause", "activity"})
OWN_WORDS = own_words()
# A brand drug name: the HCPCS codes that name its generic join the fusion with this weight,
# the first DRUG_DEPTH of them.
DRUG_WEIGHT = 2.0
DRUG_DEPTH = 10

# A modifier read from a query of other words follows this many word hits (modifiers_after_words).
MODIFIER_AFTER = 3
MODIFIER_WORD = re.compile(r"\bmod(?:ifier)?s?\b", re.IGNORECASE)

SYSTEM_ALIASES = {
    "icd10cm": CodeSystem.ICD10CM,
    "icd-10-cm": CodeSystem.ICD10CM,
    "cm": CodeSystem.ICD10CM,
    "icd10pcs": CodeSystem.ICD10PCS,
    "icd-10-pcs": CodeSystem.ICD10PCS,
    "pcs": CodeSystem.ICD10PCS,
    "hcpcs": CodeSystem.HCPCS,
    "modifier": CodeSystem.MODIFIER,
    "modifiers": CodeSystem.MODIFIER,
    "cpt": CodeSystem.CPT,
}
SYSTEM_LABELS = dict(CodeSystem.choices)


class SearchInputError(ValueError):
    """A filter the caller gave is invalid (the message says which and why)."""


@dataclass(frozen=True)
class Result:
    system: str
    system_label: str
    code: str
    display: str
    title: str
    title_html: str  # HTML-escaped, matched words in <mark>
    matched_html: str  # the synonym that matched when the title does not show it
    is_billable: bool
    is_current: bool
    match: MatchKind
    score: float
    url: str


@dataclass(frozen=True)
class SearchResults:
    query: str
    results: list[Result]
    message: str = ""
    notices: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    is_semantic: bool = False
    filters: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0


# ---------------------------------------------------------------- filters


def normalise_systems(system: str | Sequence[str] | None) -> tuple[str, ...]:
    if system is None or system == "":
        return ()
    values = [system] if isinstance(system, str) else list(system)
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            key = part.strip().lower()
            if not key:
                continue
            if key.upper() in SYSTEM_LABELS:
                out.append(key.upper())
            elif key in SYSTEM_ALIASES:
                out.append(str(SYSTEM_ALIASES[key]))
            else:
                choices = ", ".join(sorted(SYSTEM_LABELS))
                raise SearchInputError(UNKNOWN_SYSTEM.format(value=part.strip(), choices=choices))
    return tuple(dict.fromkeys(out))


def make_filters(
    *, system: str | Sequence[str] | None, billable: bool | None, on: dt.date | None
) -> Filters:
    systems = normalise_systems(system)
    if on is None:
        return Filters(systems=systems, is_billable=billable)
    # Per dataset, the release of codes in force on the date (the latest effective by then).
    releases = list(Release.objects.filter(row_counts__has_key="codes"))
    in_force = each_dataset_in_force(releases, on, guess=False)
    dated = {release.code_system for release in releases}
    if CodeSystem.HCPCS in dated:
        dated.add(CodeSystem.MODIFIER)  # the HCPCS record holds the modifiers too
    return Filters(
        systems=systems,
        is_billable=billable,
        on=on,
        release_ids=tuple(r.pk for r in in_force),
        dated_systems=tuple(sorted(dated)),
    )


def describe_filters(filters: Filters) -> dict[str, Any]:
    return {
        "system": list(filters.systems),
        "billable": filters.is_billable,
        "date": filters.on.isoformat() if filters.on else None,
    }


# ---------------------------------------------------------------- the search box


@SEARCH_SECONDS.time()
def search(
    q: str,
    *,
    system: str | Sequence[str] | None = None,
    billable: bool | None = None,
    on: dt.date | None = None,
    limit: int = 20,
    semantic: bool = True,
    typing: bool = False,
) -> SearchResults:
    """Codes first (exact, then prefixes and ranges), then words fused with meaning.

    `typing`: the query is being typed (autocomplete), so its last word is a prefix.
    """
    started = time.perf_counter()
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchInputError(LIMIT_RANGE.format(maximum=MAX_LIMIT))
    filters = make_filters(system=system, billable=billable, on=on)
    parsed = parse_query(q or "")
    if parsed.is_empty:
        message = EMPTY_QUERY if not (q or "").strip() else NOTHING_TO_SEARCH
        return SearchResults(query=q or "", results=[], message=message)

    notices: list[str] = []
    ranked: dict[int, tuple[MatchKind, float, Hit | None]] = {}
    for doc_id, kind, score in find_codes(parsed, filters, limit=limit):
        ranked.setdefault(doc_id, (kind, score, None))
    typed = (q or "").strip()
    if typing and _PARTIAL_CPT.fullmatch(typed):
        # "2713" while typing: the CPT codes it starts (27130 ...), before any ICD-9 reading.
        term = CodeTerm(typed, typed, ("cpt",), True)
        for doc_id, kind, score in find_codes(ParsedQuery(q, (term,)), filters, limit=limit):
            ranked.setdefault(doc_id, (kind, score, None))
    # An ICD-9-CM code ("250.00", "25000") also offers the ICD-10-CM codes CMS's GEM maps it to.
    gem = icd10cm_for_icd9(q or "", on or dt.date.today())
    if gem:
        notices.append(gem_search_notice(gem))
        terms = tuple(CodeTerm(e.icd10cm, e.icd10cm, ("icd10cm",), False) for e in gem)
        for doc_id, kind, _ in find_codes(ParsedQuery(q, terms), filters, limit=limit):
            if kind == "exact":
                ranked.setdefault(doc_id, ("gem", 0.7, None))

    corrections: dict[str, str] = {}
    is_semantic = False
    words: WordHits | None = None
    if parsed.words:
        words = search_words(
            list(parsed.words),
            filters,
            depth=LEXICAL_DEPTH,
            prefix_last=True if typing else None,
            forms=query_kind(parsed.words) == "condition",
        )
        lexical, corrections = words.hits, words.corrections
        meaning: list[tuple[int, float]] = []
        if semantic:
            meant = " ".join(corrections.get(w, w) for w in parsed.words)
            found = search_meaning(meant, filters, depth=SEMANTIC_DEPTH)
            if found is None:
                notices.append(LEXICAL_ONLY)
            else:
                meaning, is_semantic = found, True
        hits = {hit.document_id: hit for hit in lexical}
        # The Index reads the query with its typos fixed.
        fixed = {w: c for w, c in corrections.items() if w not in LAY_SYNONYMS}
        read = " ".join(fixed.get(w, w) for w in parsed.words) if fixed else q
        # "s/p cholecystectomy", "had a kidney transplant": a status, not the operation.
        past = (
            is_past(q)
            or (_HAD.search(q) is not None and query_kind(parsed.words) == "procedure")
            or states_status(read, filters)
        )
        # "accidental fentanyl overdose", "toddler got into mom's pills": the Table of Drugs'
        # cell (a relative named as the owner of the pills makes no family history).
        # Read with the typos fixed unless the fixing changes the column the words ask for
        # ("drank" is no typo of "drano", nor "skipped" of "slipped").
        table_read = read if intent_column(read) == intent_column(q) else q
        tabled = (
            [] if _CLEARLY_PAST.search(q) else drug_table_hits(table_read, filters, typing=typing)
        )
        past = past and not tabled
        procedure = (
            [] if past or tabled else procedure_hits(q, list(parsed.words), filters, typing=typing)
        )
        indexed = [] if procedure else index_reading_hits(read, filters, typing=typing)
        said = [] if procedure or past else sentence_reading_hits(q, filters, typing=typing)
        # "slipped on the ice", "cut myself with a kitchen knife": the External Cause Index.
        caused = (
            []
            if procedure or past
            else external_cause_hits(
                " ".join(w if w.lower() in OWN_WORDS else fixed.get(w, w) for w in parsed.words),
                filters,
                typing=typing,
            )
        )
        asks_cause = {w.lower() for w in parsed.words} & (EXTERNAL_CUES | CAUSE_WORDS)
        drugs = brand_drug_hits(list(parsed.words), filters, typing=typing)
        for hit in drugs:
            hits.setdefault(hit.document_id, hit)
        fused = fuse_ranked(
            [h.document_id for h in lexical],
            [d for d, _ in meaning],
            WORD_FUSION,
            also=[
                (procedure, PROCEDURE_WEIGHT),
                (tabled, TABLE_WEIGHT),
                (indexed, INDEX_WEIGHT),
                (said, SENTENCE_WEIGHT),
                (caused, EXTERNAL_WEIGHT),
                ([h.document_id for h in drugs], DRUG_WEIGHT),
            ],
        )
        if len(parsed.words) >= 2:
            # Titles that open with the words typed name the thing itself ("Spinal cord
            # stimulator lead ...", "Power wheelchair, ..."): they lead, fused order kept.
            opening = " ".join(parsed.words).lower()
            fused.sort(key=lambda item: not opens_with(hits.get(item[0]), opening))
        route: Kind | None = (
            "procedure" if procedure else "condition" if tabled or (caused and asks_cause) else None
        )
        lead: set[int] = set()
        if past:
            route = "condition"
            lead = set(history_reading_hits(read, filters, typing=typing))
        reranked = rerank(
            fused,
            parsed.words,
            billable=filters.is_billable,
            kind=route,
            past=past,
            lead=lead,
            asked=frozenset(tabled + said + (caused if asks_cause else [])),
        )
        for doc_id, score, source in reranked:
            how: MatchKind = "words" if source in hits else "meaning"
            ranked.setdefault(doc_id, (how, score, hits.get(doc_id)))
        if corrections:
            corrected = " ".join(corrections.get(w, w) for w in parsed.words)
            notices.append(DID_YOU_MEAN.format(corrected=corrected))

    ranked = modifiers_after_words(ranked, parsed)
    chosen = list(ranked.items())[:limit]
    marked: dict[int, Marked] = {}
    if words is not None and words.groups:
        marked = get_backend().highlight(
            words.groups,
            prefix_last=words.prefix_last,
            document_ids=[d for d, (kind, _, _) in chosen if kind in ("words", "meaning")],
        )
    results = build_results(chosen, marked=marked, words=list(parsed.words), on=on)
    message = ""
    if not results:
        message = NO_INDEX if not Document.objects.exists() else NO_RESULTS.format(query=q)
    return SearchResults(
        query=q,
        results=results,
        message=message,
        notices=notices,
        corrections=corrections,
        is_semantic=is_semantic,
        filters=describe_filters(filters),
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def suggest(q: str, *, limit: int = 8) -> SearchResults:
    """Search as you type: codes and words only (no embedding), the last word a prefix."""
    return search(q, limit=limit, semantic=False, typing=True)


# ---------------------------------------------------------------- codes


# Three or four digits being typed: the start of a CPT code.
_PARTIAL_CPT = re.compile(r"\d{3,4}")
_SYSTEM_OF_SHAPE = {"icd10cm": "ICD10CM", "icd10pcs": "ICD10PCS", "hcpcs": "HCPCS", "cpt": "CPT"}


def _after_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def modifiers_after_words(
    ranked: dict[int, tuple[MatchKind, float, Hit | None]], parsed: ParsedQuery
) -> dict[int, tuple[MatchKind, float, Hit | None]]:
    """A modifier read from a query of other words ("broken forearm left, ER", "RA,
    rheumatoid arthritis", "CT scan of the head") is more likely an everyday abbreviation:
    its exact hit follows the first MODIFIER_AFTER word hits. A query that says "modifier"
    keeps it first."""
    if not parsed.modifiers:
        return ranked
    if MODIFIER_WORD.search(parsed.raw):
        return ranked
    named = {m.lower() for m in parsed.modifiers}
    if not [w for w in content_words(list(parsed.words)) if w.lower() not in named]:
        return ranked
    items = list(ranked.items())
    modifiers = [item for item in items if item[1][0] == "modifier"]
    rest = [item for item in items if item[1][0] != "modifier"]
    if not modifiers or not rest:
        return ranked
    at = min(MODIFIER_AFTER, len(rest))
    return dict(rest[:at] + modifiers + rest[at:])


def find_codes(
    parsed: ParsedQuery, filters: Filters, *, limit: int
) -> list[tuple[int, MatchKind, float]]:
    """Document ids for the codes, ranges and modifiers in the query, exact matches first."""
    where, params = filter_sql(filters)
    exact: list[tuple[int, MatchKind, float]] = []
    wider: list[tuple[int, MatchKind, float]] = []

    def run(sql: str, args: list[Any]) -> list[int]:
        with reference_connection().cursor() as cursor:
            cursor.execute(sql, args)
            return [row[0] for row in cursor.fetchall()]

    for term in parsed.codes:
        systems = [_SYSTEM_OF_SHAPE[s] for s in term.systems]
        marks = ", ".join(["%s"] * len(systems))
        base = f"FROM search_document d WHERE d.system IN ({marks}) {where}"
        found = run(f"SELECT d.id {base} AND d.code = %s", [*systems, *params, term.code])
        exact.extend((pk, "exact", 1.0) for pk in found)
        if term.is_prefix:
            rows = run(
                f"SELECT d.id {base} AND d.code > %s AND d.code < %s"
                " ORDER BY length(d.code), d.code LIMIT %s",
                [*systems, *params, term.code, _after_prefix(term.code), limit],
            )
            wider.extend((pk, "prefix", 0.9) for pk in rows)
        if not found and not term.is_prefix:
            # An unknown code: offer its nearest existing parent ("S72.009Z" -> S72.009).
            for size in range(len(term.code) - 1, 2, -1):
                rows = run(
                    f"SELECT d.id {base} AND d.code = %s", [*systems, *params, term.code[:size]]
                )
                if rows:
                    wider.extend((pk, "parent", 0.5) for pk in rows)
                    break
    for rng in parsed.ranges:
        systems = [_SYSTEM_OF_SHAPE[s] for s in rng.systems]
        marks = ", ".join(["%s"] * len(systems))
        rows = run(
            f"SELECT d.id FROM search_document d WHERE d.system IN ({marks}) {where}"
            " AND d.code >= %s AND d.code < %s ORDER BY d.code LIMIT %s",
            [*systems, *params, rng.first, _after_prefix(rng.last), limit],
        )
        wider.extend((pk, "range", 0.8) for pk in rows)
    for modifier in parsed.modifiers:
        rows = run(
            f"SELECT d.id FROM search_document d WHERE d.system = %s {where} AND d.code = %s",
            [CodeSystem.MODIFIER, *params, modifier],
        )
        exact.extend((pk, "modifier", 1.0) for pk in rows)
    return exact + wider


# ---------------------------------------------------------------- words


def content_words(words: Sequence[str]) -> list[str]:
    kept = [w for w in words if w not in STOP_WORDS]
    return kept or list(words)


def word_groups(words: Sequence[str]) -> list[Group]:
    return expand_synonyms(content_words(words))


def with_forms(groups: list[Group], frequency: dict[str, int]) -> list[Group]:
    """A word no document has ("snore", "bloated") also matches the documents' words of its
    root ("snoring", "bloating"): wordforms.document_forms."""
    from medcode.ops.generation import current
    from medcode.search.wordforms import document_forms, load_forms

    out: list[Group] = []
    for group in groups:
        if len(group) == 1 and len(group[0]) == 1:
            forms = document_forms(group[0][0], frequency, load_forms(current().token))
            # A form's own lay synonyms too ("bruised": bruise, and so contusion).
            more = [e for f in forms for e in LAY_SYNONYMS.get(f, ())]
            group = (group[0], *((f,) for f in forms), *(tuple(e.split()) for e in more))
        out.append(group)
    return out


@dataclass(frozen=True)
class WordHits:
    hits: list[Hit]
    corrections: dict[str, str]
    groups: list[Group]  # as searched (after corrections), for highlighting
    prefix_last: bool


def search_words(
    words: list[str],
    filters: Filters,
    *,
    depth: int,
    prefix_last: bool | None = None,
    forms: bool = False,
) -> WordHits:
    """Lexical hits: three rankings fused (hybrid.LEXICAL_FUSION) so the user's own words
    count most: every word or a lay synonym of it, every word as typed, and the words as
    one phrase. Typos are fixed only when nothing matched; then, when few documents have
    every word, those with some of them follow, so one stray word never empties the page.

    `prefix_last` None: the last word is a prefix only while it is unfinished (no document
    has it as a whole word), so "femu" finds femur but "flu" does not find "fluid".
    `forms`: a word no document has also matches the Index main term of its root (a
    condition query: "snore" -> snoring; with_forms).
    """
    backend = get_backend()
    content = content_words(words)
    frequency = document_frequency(content)
    if prefix_last is None:
        last = words[-1] if words else ""
        prefix_last = last not in frequency and is_unfinished(last)
    # Even the rarest word is in thousands of documents: sample instead of ranking them all.
    common = bool(content) and all(frequency.get(w, 0) >= COMMON_WORD for w in content)

    def every_word(groups: list[Group], *, operator: Operator = "AND") -> list[Hit]:
        return backend.search_words(
            groups,
            prefix_last=prefix_last,
            operator=operator,
            filters=filters,
            limit=depth,
            common=common,
        )

    plain: list[Group] = [((w,),) for w in content]
    groups = word_groups(words)
    if forms:
        groups = with_forms(groups, frequency)
    expanded = every_word(groups)
    corrections: dict[str, str] = {}
    if not expanded:
        # "fell", "jogging", "bike": everyday words the External Cause reader knows are no
        # typos of title words ("cell", "logging", "bile").
        # A word read in its documents' form ("snore": snoring) is no typo either.
        # So are the words of a lay phrase ("blistering burn").
        formed = {w for g in groups if len(g) > 1 for w in g[0]}
        typed = correct_words(
            [w for w in content if w not in formed], backend, prefix_last=prefix_last
        )
        corrections = {w: c for w, c in typed.items() if w.lower() not in OWN_WORDS}
        if corrections:
            words = [corrections.get(w, w) for w in words]
            plain = [((w,),) for w in content_words(words)]
            groups = word_groups(words)
            expanded = every_word(groups)
    rankings = [(expanded, LEXICAL_FUSION.lexical)]
    if expanded and groups != plain:
        rankings.append((every_word(plain), LEXICAL_FUSION.lexical))
    if expanded and 2 <= len(words) <= MAX_PHRASE_WORDS:
        phrase = backend.search_phrase(
            words, prefix_last=prefix_last, filters=filters, limit=depth, common=common
        )
        rankings.append((phrase, LEXICAL_FUSION.semantic))
    hits = expanded
    if len(rankings) > 1:
        by_id = {h.document_id: h for hits_, _ in rankings for h in hits_}
        scores = fuse(
            [([h.document_id for h in hits_], weight) for hits_, weight in rankings],
            k=LEXICAL_FUSION.k,
            depth=LEXICAL_FUSION.depth,
        )
        order = {h.document_id: i for i, h in enumerate(expanded)}
        ranked = sorted(scores, key=lambda d: (-scores[d], order.get(d, 1 << 30)))
        hits = [by_id[d] for d in ranked][:depth]
    if len(hits) < FEW_HITS and len(groups) > 1:
        # Any of the words, leaving out those in thousands of documents when others remain
        # ("axilla" OR "approach" would rank every ICD-10-PCS approach).
        rare = [g for g in groups if all(frequency.get(w, 0) < COMMON_WORD for w in g[0])]
        seen = {h.document_id for h in hits}
        more = every_word(rare or groups, operator="OR")
        hits.extend(h for h in more if h.document_id not in seen)
    return WordHits(billable_first_among_twins(hits), corrections, groups, prefix_last)


def procedure_hits(q: str, words: list[str], filters: Filters, *, typing: bool) -> list[int]:
    """ICD-10-PCS codes for a query that reads as a procedure ("right kidney taken out":
    resection, right, kidney), best first; [] when it does not, or PCS is filtered out.
    The codes the tables' rows build for its reading join the codes whose titles say the
    reading's words (pcs_build.with_built)."""
    if typing or (filters.systems and CodeSystem.ICD10PCS not in filters.systems):
        return []
    if query_kind(words) in ("drug", "supply"):
        return []
    translated = pcs_words(q.split())
    if not translated:
        # Only its abbreviations spelt out name a procedure ("lap appy"): the codes the
        # tables build, which must say the body part, not titles sharing a word or two.
        spelt = pcs_words(spelt_out(q))
        return with_built(spelt, q, [], filters) if spelt else []
    return with_built(translated, q, titled_procedure_hits(translated, words, filters), filters)


def spelt_out(q: str) -> list[str]:
    """The query's words with each lay synonym or abbreviation read as its first expansion
    ("lap appy": percutaneous endoscopic appendectomy), for a procedure reading when the
    words as typed give none."""
    return [
        word
        for group in expand_synonyms(_TOKEN.findall(q.lower()))
        for word in (group[1] if len(group) > 1 else group[0])
    ]


def titled_procedure_hits(translated: list[str], words: list[str], filters: Filters) -> list[int]:
    """ICD-10-PCS codes whose titles say the words of a procedure's reading, best first."""
    if set(translated) <= set(content_words([w.lower() for w in words])):
        return []  # already in the titles' words: the word search finds those titles itself
    frequency = document_frequency(translated)
    if all(frequency.get(w, 0) >= COMMON_WORD for w in translated):
        return []  # words in thousands of titles each ("drainage right") name no procedure
    pcs = replace(filters, systems=(CodeSystem.ICD10PCS,))
    found = search_words(translated, pcs, depth=LEXICAL_DEPTH, prefix_last=False)
    if found.corrections:
        return []
    # Titles with every word first; when none has them all, the few nearest (the search's
    # any-word tail would otherwise outvote the user's own words).
    every = [h for h in found.hits if set(translated) <= title_words(h.title)]
    for word in reversed(translated) if not every else ():
        # No title has them all ("... distal radius"): the titles with all but one word,
        # the last-named word left out first.
        rest = set(translated) - {word}
        every = [h for h in found.hits if rest <= title_words(h.title)]
        if every:
            break
    if not every:
        return [h.document_id for h in found.hits[:FEW_HITS]]
    return [h.document_id for h in (every or found.hits)[:PROCEDURE_DEPTH]]


def brand_drug_hits(words: list[str], filters: Filters, *, typing: bool) -> list[Hit]:
    """HCPCS codes whose titles name the established (generic) name of a brand the query
    names ("toradol 30mg shot": ketorolac), best first; [] when it names none. The rest of
    the query (a dose, "shot", "infusion") need not be in the title: HCPCS drug titles
    name the substance and a billing unit, not the dose given."""
    if typing or (filters.systems and CodeSystem.HCPCS not in filters.systems):
        return []
    if query_kind(words) != "drug":
        return []  # "tylenol overdose" asks for the poisoning code, not the drug's
    generics = brand_generics(words)
    if not generics:
        return []
    hcpcs = replace(filters, systems=(CodeSystem.HCPCS,))
    found: list[Hit] = []
    seen: set[int] = set()
    for generic in generics:
        result = search_words(generic.split(), hcpcs, depth=LEXICAL_DEPTH, prefix_last=False)
        if result.corrections:
            continue
        every = [h for h in result.hits if set(generic.split()) <= title_words(h.title)]
        for hit in every:
            if hit.document_id not in seen:
                seen.add(hit.document_id)
                found.append(hit)
    return found[:DRUG_DEPTH]


def index_reading_hits(q: str, filters: Filters, *, typing: bool) -> list[int]:
    """ICD-10-CM codes the Alphabetic Index leads to from the query's words, read as a coder
    reads a finding (note_coder.index_hits: main term, subterms, "see" references, resolved
    to a billable code), with its lay phrases also read in the Index's words ("broken" ->
    fracture); best first. [] while typing or when ICD-10-CM is filtered out."""
    if typing or (filters.systems and CodeSystem.ICD10CM not in filters.systems):
        return []
    from medcode.ops.generation import current

    return code_ids(list(index_codes(q.lower(), current().token)), filters)


def drug_table_hits(q: str, filters: Filters, *, typing: bool) -> list[int]:
    """ICD-10-CM codes the Table of Drugs and Chemicals gives for the substances the query
    names, in the column its words ask for (drug_table: poisoning by intent, adverse effect,
    underdosing), initial encounter; [] when it asks for none, while typing, or when
    ICD-10-CM is filtered out."""
    if typing or (filters.systems and CodeSystem.ICD10CM not in filters.systems):
        return []
    from medcode.ops.generation import current

    return code_ids(list(table_codes_for(q.lower(), current().token)), filters)


@lru_cache(maxsize=2048)
def table_codes_for(q: str, token: str) -> tuple[str, ...]:
    """The billable codes of the Table cells `q` asks for, read as typed and in the code
    sets' words ("weed" -> cannabis, brand names -> the generic)."""
    from medcode.search.codebook import load_codebook
    from medcode.search.index_matcher import load_index, stems

    if intent_column(q) is None:
        return ()  # a drug named alone, or no substance: the Table is not read
    table, book, index = load_drug_table(token), load_codebook(token), load_index(token)
    codes: list[str] = []
    for reading in [q, *lay_readings(q)]:
        # The Index first: "Poisoning, food NEC" is A05.9, not the Table's noxious foodstuffs.
        elsewhere = index.lookup_under("poisoning", frozenset(stems(reading)))
        if any(not hit.code.startswith("T") for hit in elsewhere):
            return ()
        for code in table_codes(table, reading):
            resolved = book.resolve(code, frozenset())
            if resolved and resolved not in codes:
                codes.append(resolved)
    return tuple(codes[:TABLE_DEPTH])


def external_cause_hits(q: str, filters: Filters, *, typing: bool) -> list[int]:
    """ICD-10-CM external cause codes the Index to External Causes gives for how the query
    says an injury happened (external_causes), initial encounter; [] while typing or when
    ICD-10-CM is filtered out."""
    if typing or (filters.systems and CodeSystem.ICD10CM not in filters.systems):
        return []
    from medcode.ops.generation import current

    return code_ids(list(external_codes_for(q.lower(), current().token)), filters)


@lru_cache(maxsize=2048)
def external_codes_for(q: str, token: str) -> tuple[str, ...]:
    from medcode.search.codebook import load_codebook
    from medcode.search.external_causes import external_codes, load_external_index, reading
    from medcode.search.index_matcher import stems

    index, book = load_external_index(token), load_codebook(token)
    words = frozenset(stems(reading(q)))
    codes: list[str] = []
    for code in external_codes(index, q):
        resolved = book.resolve(code, words)
        if resolved and resolved not in codes:
            codes.append(resolved)
    return tuple(codes[:EXTERNAL_DEPTH])


def history_reading_hits(q: str, filters: Filters, *, typing: bool) -> list[int]:
    """Document ids of the history and status codes for a query about the past (past_codes)."""
    if typing or (filters.systems and CodeSystem.ICD10CM not in filters.systems):
        return []
    from medcode.ops.generation import current

    return code_ids(list(past_codes(q.lower(), current().token)), filters)


def code_ids(codes: list[str], filters: Filters) -> list[int]:
    """Document ids of ICD-10-CM `codes` that pass the filters, in the order given."""
    return document_ids(CodeSystem.ICD10CM, codes, filters)


@lru_cache(maxsize=2048)
def index_codes(q: str, token: str) -> tuple[str, ...]:
    """The billable codes the Index leads to from `q` (cached per data generation: a
    common main term such as "fracture" takes a few hundred milliseconds to read)."""
    from medcode.search.codebook import load_codebook
    from medcode.search.drug_use import find_drug_use, load_long_term_table
    from medcode.search.index_matcher import load_index
    from medcode.search.note_coder import index_hits

    index, book = load_index(token), load_codebook(token)
    readings = [q, *lay_readings(q), *form_readings(q, token), *eye_readings(q)]
    # "kidney problems": the Index says complications ("Diabetes, with, kidney complications").
    if _PROBLEMS.search(q):
        readings.append(_PROBLEMS.sub("complications", q))
    # "constipated from oxycodone": an adverse effect, which the Index files under the
    # condition's "drug-induced" subterm ("Constipation, drug-induced").
    if table_codes_for(q, token) and intent_column(q) == ADVERSE:
        readings.extend(f"{reading} drug induced" for reading in list(readings))
    # "preeclampsia at 34 weeks": the Index's code resolved in the trimester the weeks give.
    trimester = query_trimester(_TOKEN.findall(q))
    if trimester:
        readings = [f"{reading} {trimester}" for reading in readings]
    # A past condition is a personal history code, a drug taken for good a long-term use
    # code (note mode's readers): those lead.
    codes: list[str] = list(past_codes(q, token))
    for use in find_drug_use(q, load_long_term_table(token)):
        if use.code not in codes:
            codes.append(use.code)
    for reading in readings:
        for code, _, _ in index_hits(index, book, reading):
            if code not in codes:
                codes.append(code)
    return tuple(codes[:INDEX_DEPTH])


def sentence_reading_hits(q: str, filters: Filters, *, typing: bool) -> list[int]:
    """ICD-10-CM codes for what the query says in a sentence (sentence_codes), best first;
    [] while typing or when ICD-10-CM is filtered out."""
    if typing or (filters.systems and CodeSystem.ICD10CM not in filters.systems):
        return []
    from medcode.ops.generation import current

    return code_ids(list(sentence_codes(q.lower(), current().token)), filters)


@lru_cache(maxsize=2048)
def sentence_codes(q: str, token: str) -> tuple[str, ...]:
    """The codes the Index gives for what a query says in a sentence (readings.py): a
    condition in a pregnancy (chapter 15) or in a newborn (chapter 16), a cancer spread to
    a site (the Neoplasm Table's secondary column), "not cancer" (the benign column), a
    fear of something (F40). Only codes of the chapter or column the reading names are
    kept: the query asked for them."""
    from medcode.search.codebook import load_codebook
    from medcode.search.index_matcher import load_index
    from medcode.search.note_coder import index_hits

    index, book = load_index(token), load_codebook(token)
    base = [q, *lay_readings(q), *eye_readings(q)]
    trimester = query_trimester(_TOKEN.findall(q))
    # A query the Index already reads in chapter 15 or 16 ("ectopic pregnancy", "newborn
    # jaundice") needs no reading of its condition as a pregnancy's or a newborn's.
    plain = index_codes(q, token)
    asked: list[tuple[str, tuple[str, ...]]] = [
        *((r, ("C", "D0", "D1", "D2", "D3", "D4")) for r in neoplasm_readings(q)),
        *((r, ("F40",)) for r in phobia_readings(q)),
        *((r, ("Z88", "Z910")) for r in allergy_readings(q)),
        *((r, ("Z23",)) for r in vaccination_readings(q)),
        *((r, ("T15", "T16", "T17", "T18", "T19")) for r in foreign_body_readings(q)),
        *((r, ("Q",)) for r in congenital_readings(q)),
    ]
    if not any(code.startswith("P") for code in plain):
        asked.extend((r, ("P",)) for b in base for r in newborn_readings(b))
    else:
        # "premature baby born at 32 weeks": the plain reading's P07.30 (weeks unspecified)
        # gives way to the weeks said (P07.35).
        asked.extend((r, ("P",)) for r in born_at_readings(q))
    if not any(code.startswith("O") for code in plain):
        asked.extend(
            (f"{r} {trimester or 'unspecified trimester'}", ("O",))
            for b in base
            for r in maternity_readings(b)
        )
    codes: list[str] = []
    for reading, chapters in asked:
        for code, _, path in index_hits(index, book, reading):
            # "Pregnancy, complicated" alone (O26.9-) says nothing the query did.
            if path.endswith(_COMPLICATED) or not code.startswith(chapters):
                continue
            if code not in codes:
                codes.append(code)
    if is_allergy_status(q) and not codes:
        # "allergic to codeine": the Index names no codeine under allergy; the Table's
        # class of the drug gives its Z88 code.
        table = load_drug_table(token)
        found = [c for r in [q, *lay_readings(q)] for c in allergy_status_codes(table, r)]
        codes += found[:1]
    return tuple(codes[:SENTENCE_DEPTH])


_COMPLICATED = ("complicated by (care of) (management affected by)", "complicated NOS")


@lru_cache(maxsize=2048)
def past_codes(q: str, token: str) -> tuple[str, ...]:
    """The history and status codes the Index leads to from a query about the past or a
    relative: "dad had colon cancer" -> History, family (Z80.0); "hx prostate cancer" ->
    History, personal (Z85.46); "s/p cholecystectomy" -> Status (post) (Z90.49)."""
    from medcode.search.codebook import load_codebook
    from medcode.search.index_matcher import load_index, see_alias_reading
    from medcode.search.note_coder import history_hits

    index, book = load_index(token), load_codebook(token)
    # "s/p L TKA": the side letters spelt out first (eye_readings), so the side resolves.
    readings = list(dict.fromkeys([*eye_readings(q), q, *lay_readings(q)]))
    # "history of blood clots": a word naming a main term that refers to another (Clot:
    # see also Embolism) is read as that term's word under History and Status too.
    readings += [a for a in map(partial(see_alias_reading, index), readings) if a]
    codes: list[str] = []
    if _FAMILY.search(q):
        for reading in readings:
            codes.extend(c for c in family_history_codes(index, book, reading) if c not in codes)
    elif _PAST.search(q) or says_status(q):
        for reading in readings:
            if _PAST.search(q):
                codes.extend(c for c, _ in history_hits(index, book, reading) if c not in codes)
            codes.extend(c for c in status_codes(index, book, reading) if c not in codes)
        if is_drug_status(q):
            from medcode.search.drug_use import find_drug_use, load_long_term_table

            table = load_long_term_table(token)
            for reading in dict.fromkeys([q, generic_reading(q)]):
                codes.extend(u.code for u in find_drug_use(reading, table) if u.code not in codes)
    return tuple(codes)


def states_status(q: str, filters: Filters) -> bool:
    """ "has a g-tube", "on home oxygen 2L": a status said in so many words that the Index
    names (a Z code under Status, Presence or Dependence), read as a query about the past;
    never when ICD-10-CM is filtered out (the other code sets have no status codes)."""
    if (filters.systems and CodeSystem.ICD10CM not in filters.systems) or not says_status(q):
        return False
    from medcode.ops.generation import current

    # past_codes is kept per query and data generation (autocomplete asks at every keystroke).
    return any(code.startswith("Z") for code in past_codes(q.lower(), current().token))


def family_history_codes(index: Any, book: Any, text: str) -> list[str]:
    """Family history codes (Z80-Z84) from "History, family" for a relative's condition."""
    from medcode.search.index_matcher import stems

    words = frozenset(stems(f"{text} family history"))
    out = []
    for hit in index.lookup_under("history", words):
        if "> family" in hit.path.lower():
            code = book.resolve(hit.code, words)
            if code and code not in out:
                out.append(code)
    return out[:2]


def is_past(q: str) -> bool:
    """Whether the query speaks of a past condition or procedure, or of a relative's
    (history and status codes, not the condition or the procedure itself). "had" alone
    is not enough ("had a fit")."""
    return bool(_CLEARLY_PAST.search(q) or _FAMILY.search(q))


_HAD = re.compile(r"\b(?:had|have had|underwent)\b", re.IGNORECASE)
_CLEARLY_PAST = re.compile(
    r"\b(?:history|hx|h/o|ago|previous|previously|prior|former|before|in the past"
    r"|s/p|status post)\b",
    re.IGNORECASE,
)


_FAMILY = re.compile(
    r"\b(?:family|dad|mom|father|mother|brother|sister|parents?|grandmother|grandfather"
    r"|grandma|grandpa|aunt|uncle|siblings?)\b",
    re.IGNORECASE,
)

_PROBLEMS = re.compile(r"\b(?:problems?|issues?|troubles?)\b", re.IGNORECASE)

_PAST = re.compile(
    r"\b(?:history|hx|h/o|ago|previous|previously|prior|former|from before|in the past"
    r"|s/p|status post|had)\b",
    re.IGNORECASE,
)


def eye_readings(q: str) -> list[str]:
    """The query with its eye abbreviations and sides spelt out as the word search reads it
    (querytext.side_words: "PDR with DME OS" -> "... macular edema left"), in the Index's
    words too; [] when nothing changes."""
    tokens = _TOKEN.findall(q.lower())
    sided = side_words(tokens)
    if sided == tokens:
        return []
    text = " ".join(sided)
    return [text, *lay_readings(text)]


def form_readings(q: str, token: str) -> list[str]:
    """The query with each word no document has in the documents' form of it ("I snore"
    -> "I snoring", which the Index reads as Snoring); [] when no word changes."""
    from medcode.search.wordforms import document_forms, load_forms

    words = _TOKEN.findall(q.lower())
    known = document_frequency(words)
    forms = load_forms(token)
    changed = False
    out = []
    for word in words:
        found = document_forms(word, known, forms)
        changed = changed or bool(found)
        out.append(found[0] if found else word)
    text = " ".join(out)
    return [text, *lay_readings(text)] if changed else []


def lay_readings(q: str) -> list[str]:
    """The query with its lay phrases in the code sets' words (the first expansion of
    each): "broke my wrist" -> "fracture my wrist"."""
    groups = expand_synonyms(_TOKEN.findall(q.lower()))
    if all(len(group) == 1 for group in groups):
        return []
    return [" ".join(" ".join(group[1] if len(group) > 1 else group[0]) for group in groups)]


def billable_first_among_twins(hits: list[Hit]) -> list[Hit]:
    """A category and its billable child often share a title (J18 and J18.9 "Pneumonia,
    unspecified organism"): the one a claim can carry goes first, at the first's place."""
    slots: dict[str, list[int]] = {}
    for i, hit in enumerate(hits):
        slots.setdefault(hit.title, []).append(i)
    ordered = list(hits)
    for positions in slots.values():
        if len(positions) > 1:
            twins = sorted((hits[i] for i in positions), key=lambda h: not h.is_billable)
            for i, hit in zip(positions, twins, strict=True):
                ordered[i] = hit
    return ordered


def document_frequency(words: Sequence[str]) -> dict[str, int]:
    """How many documents hold each word (the vocabulary's counts; absent: unknown)."""
    unique = sorted(set(words))
    if not unique:
        return {}
    marks = ", ".join(["%s"] * len(unique))
    with reference_connection().cursor() as cursor:
        cursor.execute(f"SELECT word, documents FROM search_word WHERE word IN ({marks})", unique)
        return {word: int(n) for word, n in cursor.fetchall()}


def is_unfinished(word: str) -> bool:
    """Whether the last word looks half-typed: no document has it, it is no lay term, and
    some vocabulary word begins with it."""
    if len(word) < 2 or word in LAY_SYNONYMS or not word.isalpha():
        return False
    return Word.objects.filter(word__gt=word, word__lt=word + "\uffff").exists()


def search_meaning(text: str, filters: Filters, *, depth: int) -> list[tuple[int, float]] | None:
    """Documents nearest in meaning, or None when the semantic layer is not available."""
    from medcode.search.vectors import get_vector_index, query_vector

    index = get_vector_index()
    if index is None:
        return None
    vector = query_vector(text.lower())
    if vector is None:
        return None
    keep = index.mask(filters.systems, filters.is_billable, current=filters.on is None)
    found = index.search(vector, k=depth, probes=SEMANTIC_PROBES, keep=keep)
    if filters.on is not None and found:
        allowed = allowed_documents([d for d, _ in found], filters)
        found = [(d, s) for d, s in found if d in allowed]
    return found


def allowed_documents(ids: Sequence[int], filters: Filters) -> set[int]:
    where, params = filter_sql(filters)
    marks = ", ".join(["%s"] * len(ids))
    with reference_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT d.id FROM search_document d WHERE d.id IN ({marks}) {where}",
            [*ids, *params],
        )
        return {row[0] for row in cursor.fetchall()}


# ---------------------------------------------------------------- results


def opens_with(hit: Hit | None, opening: str) -> bool:
    if hit is None:
        return False
    title = hit.title.replace(MARK_START, "").replace(MARK_END, "")
    return title.lower().startswith(opening)


def marked_html(text: str) -> str:
    """HTML-escape first, then turn the backend's match markers into <mark> tags."""
    return str(escape(text)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def mark_words(text: str, words: Sequence[str]) -> str:
    """Mark words of `text` that share a stem with a query word (for meaning-only hits)."""
    stems = {w.lower()[: max(4, len(w) - 2)] for w in words if len(w) >= 3}
    if not stems:
        return text

    def replace(m: re.Match[str]) -> str:
        token = m.group(0).lower()
        if any(token.startswith(s) for s in stems):
            return f"{MARK_START}{m.group(0)}{MARK_END}"
        return m.group(0)

    return _TOKEN.sub(replace, text)


def code_page_url(document: Document, on: dt.date | None) -> str:
    """The code page (codes:detail), naming the code set and the date searched for."""
    query = {"system": document.system}
    if on is not None:
        query["date"] = on.isoformat()
    return f"{code_page_path(document.display)}?{urlencode(query)}"


def code_page_path(display: str) -> str:
    return _code_page_pattern().replace(_PLACEHOLDER, quote(display, safe=".-"))


_PLACEHOLDER = "CODE0PLACEHOLDER"


@lru_cache(maxsize=1)
def _code_page_pattern() -> str:
    """codes:detail reversed once (reverse() costs ~0.1 ms, twenty times a search)."""
    try:
        return reverse("codes:detail", args=[_PLACEHOLDER])
    except NoReverseMatch:
        return f"/codes/{_PLACEHOLDER}/"


RESULT_FIELDS = ("system", "code", "display", "title", "is_billable", "is_current")


def build_results(
    chosen: list[tuple[int, tuple[MatchKind, float, Hit | None]]],
    *,
    marked: dict[int, Marked],
    words: Sequence[str],
    on: dt.date | None,
) -> list[Result]:
    documents = Document.objects.only(*RESULT_FIELDS).in_bulk([doc_id for doc_id, _ in chosen])
    results = []
    for doc_id, (kind, score, _) in chosen:
        doc = documents.get(doc_id)
        if doc is None:
            continue
        found = marked.get(doc_id)
        title = found.title if found and MARK_START in found.title else mark_words(doc.title, words)
        synonym = found.synonym if found and MARK_START not in title else ""
        results.append(
            Result(
                system=doc.system,
                system_label=SYSTEM_LABELS.get(doc.system, doc.system),
                code=doc.code,
                display=doc.display,
                title=doc.title,
                title_html=marked_html(title),
                matched_html=marked_html(synonym.replace("\n", "; ")),
                is_billable=doc.is_billable,
                is_current=doc.is_current,
                match=kind,
                score=round(score, 4),
                url=code_page_url(doc, on),
            )
        )
    return results


# ---------------------------------------------------------------- case mode

MAX_NOTE_CHARS = 20_000
EMPTY_NOTE = "Paste a case note (up to 20,000 characters) to get code suggestions."
NOTE_TOO_LONG = "A case note may have at most {maximum:,} characters; this one has {length:,}."
NOTE_LEXICAL_ONLY = "Suggestions come from words only: meaning-aware ranking is not ready yet."
# Findings the note denies or attributes to a relative are shown as such, never coded.
NOT_CODED = {"negated": "negated", "family": "family history"}
SPAN_DEPTH = 50  # codes kept per span and per signal before aggregation
# Weaker evidence than this is not evidence: a span's nearest codes below this cosine, and
# word hits below this share of the span's best bm25, do not vote.
NOTE_MIN_COSINE = 0.35
NOTE_MIN_WORD_SCORE = 0.35
NOTE_WORD_LIMIT = 32
_NOTE_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int
    sentence: int
    assertion: str


@dataclass(frozen=True)
class Suggestion:
    system: str
    system_label: str
    code: str
    display: str
    title: str
    is_billable: bool
    match: Literal["meaning", "words", "both"]
    score: float
    url: str
    evidence: Evidence


@dataclass(frozen=True)
class NoteResults:
    suggestions: list[Suggestion]
    not_coded: list[Evidence]
    spans: int
    message: str = ""
    notices: list[str] = field(default_factory=list)
    is_semantic: bool = False
    filters: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    # Note mode (note_search.py): each coded finding with its top codes; procedure codes.
    findings: list[Any] = field(default_factory=list)
    procedures: list[Suggestion] = field(default_factory=list)

    @property
    def results(self) -> list[Suggestion]:
        return self.suggestions


class NoteTooLong(SearchInputError):
    """The note is longer than MAX_NOTE_CHARS."""


def span_words(text: str) -> list[str]:
    words = [w.lower() for w in _NOTE_WORD.findall(text)]
    return [w for w in words if w not in STOP_WORDS and len(w) > 1][:NOTE_WORD_LIMIT]


def search_note(
    text: str,
    *,
    system: str | Sequence[str] | None = CodeSystem.ICD10CM,
    billable: bool | None = True,
    on: dt.date | None = None,
    limit: int | None = None,
) -> NoteResults:
    """Code suggestions for a case note, each with the sentence or phrase that supports it.

    Denied findings ("denies chest pain") and family history are listed in `not_coded`.
    By default ICD-10-CM billable codes are suggested (pass `system` for procedures).
    Note mode proper lives in note_search.py.
    """
    from medcode.search import note_search

    return note_search.search_note(
        text,
        system=system,
        billable=billable,
        on=on,
        limit=note_search.NOTE_DEFAULT_LIMIT if limit is None else limit,
    )


def note_meaning(texts: Sequence[str], filters: Filters) -> list[list[tuple[int, float]]] | None:
    """Per span, the documents nearest in meaning; None without vectors."""
    from medcode.search.embeddings import EmbeddingModelMissing
    from medcode.search.vectors import get_vector_index, serving_embedder

    index = get_vector_index()
    if index is None:
        return None
    if not texts:
        return []
    try:
        vectors = serving_embedder().embed(list(texts))
    except EmbeddingModelMissing:
        return None
    keep = index.mask(filters.systems, filters.is_billable, current=filters.on is None)
    found = index.search_all(vectors, k=SPAN_DEPTH, keep=keep)
    return [[(d, s) for d, s in hits if s >= NOTE_MIN_COSINE] for hits in found]


def note_words(
    texts: Sequence[str], filters: Filters, *, scaled: bool = True
) -> list[list[tuple[int, float]]]:
    """Per span, bm25 hits for its words (any of them). `scaled`: each span's best is 1, to
    add to cosines; otherwise raw bm25, which ranks across spans when it is the only signal.

    Words in thousands of documents ("left", "approach") are left out: they weigh little
    in bm25 and cost the most to rank.
    """
    backend = get_backend()
    spans = [span_words(text) for text in texts]
    frequency = document_frequency([w for words in spans for w in words])
    found: list[list[tuple[int, float]]] = []
    for words in spans:
        rare = [w for w in words if frequency.get(w, 0) < COMMON_WORD]
        if not rare:
            found.append([])
            continue
        hits = backend.search_words(
            [((w,),) for w in rare],
            prefix_last=False,
            operator="OR",
            filters=filters,
            limit=SPAN_DEPTH,
        )
        best = max((h.score for h in hits), default=0.0) or 1.0
        kept = [h for h in hits if h.score / best >= NOTE_MIN_WORD_SCORE]
        found.append([(h.document_id, h.score / best if scaled else h.score) for h in kept])
    return found


def fuse_note(
    meaning: list[list[tuple[int, float]]], lexical: list[list[tuple[int, float]]]
) -> tuple[list[tuple[int, float]], dict[int, tuple[int, Literal["meaning", "words", "both"]]]]:
    """Best span per code for each signal, then one score (hybrid.NOTE_SCORING); and for
    each code the span that supports it best (its evidence)."""
    from medcode.search import hybrid

    by_meaning = hybrid.best_per_key(meaning)
    by_words = hybrid.best_per_key(lexical)
    scores = hybrid.score_note(by_meaning, by_words, hybrid.NOTE_SCORING)
    fused = sorted(scores.items(), key=lambda item: -item[1])
    sources: dict[int, tuple[int, Literal["meaning", "words", "both"]]] = {}
    for doc_id, _ in fused:
        if doc_id in by_meaning:
            how: Literal["meaning", "words", "both"] = "both" if doc_id in by_words else "meaning"
            sources[doc_id] = (by_meaning[doc_id][1], how)
        else:
            sources[doc_id] = (by_words[doc_id][1], "words")
    return fused, sources

"""Reading a HCPCS Level II descriptor the way a supplier or coder reads it against a lay query.

HCPCS long descriptors (January 2026 ANWEB file) follow a pattern: the item first, then its
qualifiers after commas ("Walker, folding, wheeled, adjustable or fixed height"); a part or
accessory names the item it serves after "for use with", "used with" or "for" ("Platform
attachment, forearm crutch, each", "Infusion set for external insulin pump, needle type");
a variant says what it lacks ("without side rails", "non-emergency transport", "other than
spinal applications"); a drug's own code says "not otherwise specified" after the substance
("Injection, epinephrine, not otherwise specified, 0.1 mg") beside codes for named products
("(endo)", "(baxter)"); a catch-all says "unlisted", "miscellaneous" or "not otherwise
classified" (A0999 "Unlisted ambulance service", J9999); some drug codes bound the dose
("buprenorphine extended-release (sublocade), less than or equal to 100 mg" / "greater than
100 mg"); and the S codes are the temporary national codes for non-Medicare payers.

`read_query` reads the query once; `hcpcs_fit` gives one HCPCS hit's factor for it
(ranking.rerank multiplies it in). Written for medcode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from medcode.search.querytext import STOP_WORDS

# Descriptors read, kept per descriptor (about 9,000 HCPCS codes).
TITLES_KEPT = 16384

# A catch-all code the query did not ask for.
CATCH_ALL = 0.4
# A part or accessory of the item the query names, or the item an accessory asked for
# serves ("nasal pillows for my cpap": not the CPAP device).
ACCESSORY = 0.5
# A variant that lacks what the query asks for ("bed with rails": "without side rails"),
# or has what the query says it must not ("walker, no wheels": "wheeled").
NEGATED = 0.5
# A dose the descriptor's bound excludes ("100 mg": "greater than 100 mg"); "up to 25 mg" is
# the billing unit, no bound (50 mg of hydroxyzine is two units of J3410).
DOSE_OUT = 0.5
# A temporary national code for non-Medicare payers (S codes) when another code fits.
NON_MEDICARE = 0.7
# A drug's own "not otherwise specified" code (a brand the query names and a descriptor
# names counts more: ranking.BRAND_IN_TITLE).
NOS_GENERIC = 1.3

_WORD = re.compile(r"[a-z0-9]+")
_CATCH_ALL = re.compile(
    r"^(?:unlisted|unclassified)\b|\bnot otherwise classified\b|\bnoc\b|\bmiscellaneous\b"
)
_NOS = re.compile(r"\bnot otherwise specified\b")
# Words that ask for a catch-all code.
CATCH_ALL_CUES = frozenset({"unlisted", "unclassified", "miscellaneous", "noc", "nos", "other"})
# Where a descriptor's item ends and the thing it serves or holds begins.
_MARKER = re.compile(r" (?:for|used with|with|includes|including) ")
# A part of another item, named in the descriptor's item ("Platform attachment, forearm
# crutch", "Underarm pad, crutch, replacement", "Replacement pad for use with ...").
_PART = re.compile(r"\b(?:attachments?|accessory|accessories|replacement)\b")
PART_STEMS = frozenset({"attac", "acces", "repla"})
# A descriptor's own negations: "without side rails" (not "with or without"), "non-emergency",
# "other than wood", "no transport".
_TITLE_NEGATION = re.compile(
    r"(?<!or )\bwithout ([a-z0-9]+)(?: ([a-z0-9]+))?|\bnon-?([a-z0-9]+)"
    r"|\bother than ([a-z0-9]+)(?: ([a-z0-9]+))?|\bno ([a-z0-9]+)"
    r"|\bnot ([a-z0-9]+)(?: ([a-z0-9]+))?"
)
# Query words that deny what follows ("no wheels", "not a pair", "non emergency").
QUERY_NEGATIONS = frozenset({"no", "not", "non", "without"})
_SKIP_AFTER_NEGATION = frozenset({"a", "an", "the", "on", "any"})
# Query words that end an item's name: "wig for chemo hair loss", "spacer for my inhaler".
_OBJECT_START = frozenset({"for", "to", "after", "at", "from", "in", "on", "with"})
_NOT_ITEM = frozenset({"my", "home", "one", "just", "new", "medicare"})
_DOSE_UNITS = {"mg": 1.0, "g": 1000.0, "gram": 1000.0, "grams": 1000.0, "mcg": 0.001}
_QUERY_DOSE = re.compile(r"^(\d+)(mg|g|gram|grams|mcg)?$")
_TITLE_BOUND = re.compile(
    r"\b(greater than|more than|over|less than or equal to|less than) "
    r"(\d+(?:\.\d+)?) ?(mg|mcg|g|gram|grams)\b"
)


def stem(word: str) -> str:
    """The first five letters of a word, a plural s dropped ("crutches", "crutch": crutc)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


@dataclass(frozen=True)
class QueryReading:
    positive: frozenset[str]  # stems of the words said
    negated: frozenset[str]  # stems of the words denied
    item: str | None  # stem of the item's own word (the last word before "for ...")
    served: frozenset[str]  # stems of what the item is for ("spacer for my inhaler")
    doses: tuple[float, ...]  # in mg
    asks_catch_all: bool


def read_query(words: Sequence[str]) -> QueryReading:
    lowered = [w.lower() for w in words]
    negated: set[str] = set()
    denied_at: set[int] = set()
    for i, word in enumerate(lowered):
        if word not in QUERY_NEGATIONS:
            continue
        j, taken = i + 1, 0
        while j < len(lowered) and lowered[j] in _SKIP_AFTER_NEGATION:
            j += 1
        limit = 1 if word == "non" else 2
        while j < len(lowered) and taken < limit:
            nxt = lowered[j]
            if nxt in STOP_WORDS or nxt in QUERY_NEGATIONS:
                break
            negated.add(stem(nxt))
            denied_at.add(j)
            taken += 1
            j += 1
    content = [
        (i, w)
        for i, w in enumerate(lowered)
        if w not in STOP_WORDS and w not in QUERY_NEGATIONS and not w[:1].isdigit()
    ]
    positive = {stem(w) for i, w in content if i not in denied_at}
    end = next((i for i, w in enumerate(lowered) if i and w in _OBJECT_START), len(lowered))
    head = [
        w
        for i, w in content
        if i < end and i not in denied_at and w not in _NOT_ITEM and len(w) > 2
    ]
    served = {stem(w) for i, w in content if i > end and w not in _NOT_ITEM}
    doses: list[float] = []
    for i, word in enumerate(lowered):
        found = _QUERY_DOSE.match(word)
        if not found or (i and lowered[i - 1].isdigit()):
            continue
        unit = found.group(2) or (lowered[i + 1] if i + 1 < len(lowered) else "")
        if unit in _DOSE_UNITS:
            doses.append(float(found.group(1)) * _DOSE_UNITS[unit])
    return QueryReading(
        positive=frozenset(positive),
        negated=frozenset(negated),
        item=stem(head[-1]) if head else None,
        served=frozenset(served) - {stem(head[-1])} if head else frozenset(),
        doses=tuple(doses),
        asks_catch_all=bool(set(lowered) & CATCH_ALL_CUES),
    )


def is_drug_code(code: str, title: str) -> bool:
    return code.startswith("J") or title.lower().startswith("injection")


@lru_cache(maxsize=TITLES_KEPT)
def is_catch_all(code: str, title: str) -> bool:
    """A catch-all code: unlisted, miscellaneous or not otherwise classified; for items other
    than drugs, also "not otherwise specified" (A5507, L2999)."""
    lowered = title.lower()
    if _CATCH_ALL.search(lowered):
        return True
    return not is_drug_code(code, title) and _NOS.search(lowered) is not None


@lru_cache(maxsize=TITLES_KEPT)
def title_negations(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """(stems the descriptor says, stems it denies) — "Hospital bed, ..., without side
    rails, with mattress": rails denied, mattress said."""
    lowered = title.lower()
    denied = {stem(w) for m in _TITLE_NEGATION.finditer(lowered) for w in m.groups() if w}
    rest = _TITLE_NEGATION.sub(" ", lowered)
    said = {stem(w) for w in _WORD.findall(rest)}
    return frozenset(said), frozenset(denied)


@lru_cache(maxsize=TITLES_KEPT)
def title_head(title: str) -> str:
    """The descriptor's text before "for", "used with", "with", "includes"."""
    return _MARKER.split(title.lower(), maxsplit=1)[0]


@lru_cache(maxsize=TITLES_KEPT)
def head_and_tail(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """Stems of the descriptor's item (before "for", "used with", "with", "includes") and of
    what follows it: "Infusion set for external insulin pump, needle type" is an infusion
    set, "Nebulizer, with compressor" a nebulizer."""
    lowered = title.lower()
    parts = _MARKER.split(lowered, maxsplit=1)
    head, tail = parts[0], parts[1] if len(parts) > 1 else ""
    return frozenset(stem(w) for w in _WORD.findall(head)), frozenset(
        stem(w) for w in _WORD.findall(tail)
    )


def names_only_the_item(title: str, reading: QueryReading) -> bool:
    """Whether the query's words are the descriptor's name (its text before the first
    comma) and nothing else."""
    name = {stem(w) for w in _WORD.findall(title.lower().split(",", 1)[0])}
    return bool(name) and name == reading.positive


def dose_fits(title: str, doses: Sequence[float]) -> bool:
    """Whether every dose bound the descriptor states admits the query's doses."""
    if not doses:
        return True
    for bound, number, unit in _TITLE_BOUND.findall(title.lower()):
        limit = float(number) * _DOSE_UNITS[unit]
        for dose in doses:
            if bound in ("greater than", "more than", "over") and dose <= limit:
                return False
            if bound == "less than or equal to" and dose > limit:
                return False
            if bound == "less than" and dose >= limit:
                return False
    return True


def hcpcs_fit(code: str, title: str, reading: QueryReading, *, drug: bool) -> float:
    """How well one HCPCS descriptor fits the query read (`drug`: a drug query)."""
    factor = 1.0
    if is_catch_all(code, title):
        # The query names the catch-all's item and nothing more ("power wheelchair": K0898
        # "Power wheelchair, not otherwise classified"): it is the answer, not a fallback.
        if not (reading.asks_catch_all or names_only_the_item(title, reading)):
            factor *= CATCH_ALL
    elif drug and _NOS.search(title.lower()):
        factor *= NOS_GENERIC
    if code.startswith("S"):
        factor *= NON_MEDICARE
    said, denied = title_negations(title)
    if reading.negated & said or (reading.positive & denied) - said:
        factor *= NEGATED
    if not drug and not is_drug_code(code, title) and reading.item:
        head, tail = head_and_tail(title)
        part = _PART.search(title_head(title)) and not reading.positive & PART_STEMS
        served = reading.item in tail - head and not head & reading.positive
        serves = reading.served & head and reading.item not in head | tail
        if part or served or serves:
            factor *= ACCESSORY
    if not dose_fits(title, reading.doses):
        factor *= DOSE_OUT
    return factor

"""Family history codes (Z80-Z84) for a relative's condition in a note, read from the
ICD-10-CM Alphabetic Index and Tabular List rather than a list of ours.

A family-history finding ("father had colon cancer at 52", "mother with type 2 diabetes")
is never coded for the patient, but it gives the family history code a coder adds:
- the Index's "History, family (of)" subterm the finding names ("colonic polyps" Z83.719,
  "sudden cardiac death" Z82.41), read like any other Index path; else
- the relative's condition is looked up as if it were the patient's (colon cancer -> C18.9,
  myocardial infarction -> I21.9) and placed by the Tabular's inclusion terms of Z80-Z84
  ("Z80.0 Conditions classifiable to C15-C26"), the category resolved to its billable code
  by the condition's title words (ovary -> Z80.41).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from medcode.search.codebook import CodeBook

# "Conditions classifiable to C15-C26", "... to C00-C14, C40-C49", "... elsewhere in F01-F99"
_CLASSIFIABLE = re.compile(r"(?i)^conditions classifiable (to|elsewhere in)\s+(.+)$")
_RANGE = re.compile(r"([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]+)?)(?:\.-)?(?:\s*-\s*([A-Z][0-9][0-9A-Z]))?")
FAMILY_CATEGORIES = re.compile(r"^Z8[0-4]")
_GENERIC = frozenset({"famil", "histor"})


# A relative's condition in the words of the Index's "History, family" subterms where the
# common word is not the Index's: a lipid disorder is "lipidemia NEC" (Z83.438), familial
# hypercholesterolemia has its own subterm (Z83.42) and is left to it.
FAMILY_PHRASES: dict[str, str] = {
    "hyperlipidemia": "lipidemia",
    "dyslipidemia": "lipidemia",
    "hypercholesterolemia": "lipidemia",
    "high cholesterol": "lipidemia",
    "hypertriglyceridemia": "lipidemia",
}


def family_wording(text: str) -> str:
    """The finding with the Index's wording for its relative's condition appended."""
    low = text.lower()
    if "familial" in low:
        return text
    extra = [words for phrase, words in FAMILY_PHRASES.items() if phrase in low]
    return " ".join([text, *dict.fromkeys(extra)])


@dataclass(frozen=True)
class ClassifiableRange:
    low: str  # undotted: "C15", "C801"
    high: str
    code: str  # the family history code (undotted, maybe a category)
    is_elsewhere: bool  # "classifiable elsewhere in": the residual code of a block

    def holds(self, condition: str) -> bool:
        return condition[: len(self.low)] >= self.low and condition[: len(self.high)] <= self.high


@dataclass
class FamilyTable:
    ranges: list[ClassifiableRange] = field(default_factory=list)

    def code_for(self, condition: str) -> str | None:
        """The family history code (maybe a category) for a condition code (undotted):
        the most specific code whose inclusion terms hold it, a block's residual
        ("elsewhere in") code last."""
        condition = condition.replace(".", "").upper()
        held = [r for r in self.ranges if r.holds(condition)]
        if not held:
            return None
        return min(held, key=lambda r: (r.is_elsewhere, -len(r.code), r.code)).code


def build_table(notes: list[tuple[str, str]]) -> FamilyTable:
    """`notes`: (code, inclusion term) rows of the Tabular for Z80-Z84."""
    table = FamilyTable()
    for code, text in notes:
        code = code.replace(".", "").upper()
        m = _CLASSIFIABLE.match(text.strip())
        if not FAMILY_CATEGORIES.match(code) or m is None:
            continue
        is_elsewhere = m.group(1).lower() != "to"
        for part in m.group(2).split(","):
            r = _RANGE.fullmatch(part.strip().rstrip("."))
            if r is None:
                continue
            low = r.group(1).replace(".", "")
            high = (r.group(2) or r.group(1)).replace(".", "")
            table.ranges.append(ClassifiableRange(low, high, code, is_elsewhere))
    return table


def resolve_family(book: CodeBook, code: str, condition_words: frozenset[str]) -> str | None:
    """A billable family history code for a category: the child whose own words (beyond its
    parent's title) the condition all names (Z80.4 + ovary -> Z80.41), else the residual
    child ("other ...": Z82.4 -> Z82.49, never the specific Z82.41 sudden cardiac death)."""
    if book.is_billable(code):
        return code
    children = [c for c in book.descendants(code) if c != code and book.is_billable(c)]
    parent = book.words(code)
    named = []
    for child in children:
        own = book.words(child) - parent - _GENERIC
        if own and own <= condition_words:
            named.append((len(own), child))
    if named:
        return max(named)[1]
    residual = [c for c in children if "other" in book.titles.get(c, "").lower().split()]
    return min(residual, key=lambda c: (len(c), c)) if residual else None


@lru_cache(maxsize=2)
def load_family_table(generation: str = "") -> FamilyTable:
    from medcode.codes.models import CodeNote

    rows = list(
        CodeNote.objects.filter(
            release__is_current=True, note_type="inclusionTerm", code__regex=r"^Z8[0-4]"
        ).values_list("code", "text")
    )
    return build_table(rows)

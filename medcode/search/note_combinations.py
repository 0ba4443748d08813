"""Combination codes across a note's findings, read from the Alphabetic Index.

A coder reads "Diabetes, type 2, with ..." and "Hypertension, with ..." for the other
conditions the note states, even when they are in findings of their own ("1. Type 2
diabetes. 2. CKD stage 3."): the ICD-10-CM Official Guidelines I.A.15 presume the link for
the conditions the Index lists under "with" (unless the note says they are unrelated), and
I.C.9.a presume it between hypertension and heart or kidney disease. So a finding that names
such a main term is looked up again with the words of each other affirmed finding, and a
deeper path through a "with" (or a "see" it leads to) gives the combination code (E11.22,
I12.9; with both heart failure and chronic kidney disease, I13.0). The same category's code
"without complications" (E11.9) or the plain I10, which the combination replaces, weighs
less (E11.9's title says "without complications"; I10's Excludes1 note lists I11-I13).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcode.search.codebook import CodeBook
from medcode.search.index_matcher import AlphabeticIndex, IndexHit, stems
from medcode.search.notes_findings import Finding

# Main terms whose "with" subterms name other conditions the guidelines link to them.
COMBINING = ("diabetes", "hypertension")
# What a combination code replaces: the main term's code for the condition alone, by the
# first three characters of the combination ("E11" -> E11.9 ...); I10 for I11-I13.
REPLACED_BY_CATEGORY = {"I11": "I10", "I12": "I10", "I13": "I10"}
# x the replaced code's score when the note gives its combination code
REPLACED_WEIGHT = 0.4


@dataclass(frozen=True)
class Combination:
    code: str  # billable, undotted
    finding: int  # the finding of the other condition (its evidence)
    path: str


def _without_complications(book: CodeBook, category: str) -> list[str]:
    """The category's billable codes "without complications" (E11.9 ...)."""
    return [
        c
        for c in book.descendants(category)
        if book.is_billable(c) and "without complications" in book.titles.get(c, "").lower()
    ]


def combinations(
    index: AlphabeticIndex,
    book: CodeBook,
    findings: Sequence[Finding],
    texts: Sequence[str],
    note: Sequence[Finding] = (),
) -> list[Combination]:
    """Combination codes for the note's affirmed findings (`findings`: the coded ones;
    `texts`: each one's reading with its abbreviations spelt out, "CKD": chronic kidney
    disease, and without what a "without" qualifies; `note`: all the note's findings)."""
    denied = [f for f in note if f.assertion == "negated"]
    words = [
        frozenset(stems(_before_without(t))) if f.assertion == "affirmed" else frozenset()
        for f, t in zip(findings, texts, strict=True)
    ]
    out: dict[str, Combination] = {}
    for main in COMBINING:
        key = frozenset(stems(main))
        unlinked = _unlinked_words(note, key)
        linked = LINKED_CATEGORIES.get(main)
        # whether finding j is, by the Index, a condition of the linked categories: it does
        # not depend on i, so it is looked up once per finding
        is_linked: dict[int, bool] = {}
        for i, own in enumerate(words):
            if not key <= own:
                continue
            base = max((h.words for h in index.lookup_under(main, own)), default=0)
            partners: list[int] = []
            pair_codes: list[str] = []
            max_pair = 0
            for j, other in enumerate(words):
                if j == i or not other - own or _unrelated(findings[j], main, denied):
                    continue
                if (other - key) & unlinked:
                    continue
                if linked:
                    if j not in is_linked:
                        is_linked[j] = bool(_index_codes(index, texts[j], linked))
                    if not is_linked[j]:
                        continue
                for hit in _with_hits(index, main, own | other, base):
                    code = book.resolve(hit.code, own | other)
                    if code:
                        partners.append(j)
                        pair_codes.append(code)
                        max_pair = max(max_pair, hit.words)
                        out.setdefault(code, Combination(code, j, hit.path))
            # Hypertension with both heart and kidney disease: the path that names them all
            # (I13.0), in place of each pair's (I11.0, I12.9).
            if main in PRESUMED_SUBTERMS and len(set(partners)) > 1:
                together = own.union(*(words[j] for j in set(partners)))
                hits = _with_hits(index, main, together, base)
                best = max((h.words for h in hits), default=0)
                joint = [h for h in hits if h.words == best and h.words > max_pair]
                resolved = [book.resolve(h.code, together) for h in joint]
                if any(resolved):
                    for code in pair_codes:
                        out.pop(code, None)
                for hit, code in zip(joint, resolved, strict=True):
                    if code:
                        out[code] = Combination(code, partners[-1], hit.path)
    return list(out.values())


# Below "Hypertension", the subterms whose link the guidelines presume (I.C.9.a: heart
# disease, chronic kidney disease, both): read without a "with" ("Hypertension, kidney"
# I12.9). Any other subterm needs the Index's "with" ("Hypertension, pulmonary" is a
# condition of its own, never hypertension beside a lung finding).
PRESUMED_SUBTERMS = {"hypertension": ("heart", "kidney", "cardiorenal", "cardiovascular", "renal")}
# ... and the other condition must be one the Tabular links: I12 "includes any condition in
# N18 and N26 - due to hypertension"; I11 "Hypertensive heart disease" with I11.0 "use
# additional code to identify type of heart failure (I50.-)" and the Index's "Hypertension,
# with, heart involvement (conditions in I50.- or I51.4-I51.7, I51.89, I51.9 ...)". An acute
# kidney injury (N17) is no hypertensive kidney disease.
LINKED_CATEGORIES = {
    "hypertension": ("N18", "N26", "I50", "I514", "I515", "I516", "I517", "I5189", "I519")
}
# Words of a sentence that denies a link ("which I do not consider related to his diabetes")
# that say nothing of the condition it is about.
_LINK_WORDS = frozenset(stems("related relation due caused associated secondary consider age"))
_DENIAL = re.compile(r"(?i)\b(?:not|no|never|nor|unrelated)\b")


def _with_hits(
    index: AlphabeticIndex, main: str, words: frozenset[str], base: int
) -> list[IndexHit]:
    presumed = PRESUMED_SUBTERMS.get(main, ())
    out = []
    for hit in index.lookup_under(main, words):
        parts = [p.strip().lower() for p in hit.path.split(">")]
        if hit.words <= base or len(parts) < 2 or _denies_words(parts, words):
            continue
        if "with" in parts or parts[1].split(" (")[0] in presumed:
            out.append(hit)
    return out


def _index_codes(index: AlphabeticIndex, text: str, categories: tuple[str, ...]) -> bool:
    """Whether the Index itself reads the text as a condition of `categories` (its words
    alone, not the word or meaning searches: "Heart regular" is no heart disease)."""
    return any(h.code.replace(".", "").startswith(categories) for h in index.lookup(text))


def _before_without(text: str) -> str:
    """The text up to a "without" ("type 2 diabetes without retinopathy"): what follows it
    is not a condition the patient has."""
    return re.split(r"(?i)\b(?:without|w/o)\b", text, maxsplit=1)[0]


def _unlinked_words(note: Sequence[Finding], key: frozenset[str]) -> frozenset[str]:
    """The words of a sentence in which the note denies a link with the main term ("The
    lenses show early nuclear sclerosis ..., which I do not consider related to his
    diabetes"): a partner sharing one is not linked."""
    sentences = {
        f.sentence
        for f in note
        if key <= frozenset(stems(f.text))
        and _LINK_WORDS & set(stems(f.text))
        and _DENIAL.search(f.text)
    }
    out: set[str] = set()
    for f in note:
        if f.sentence in sentences:
            out.update(stems(f.text))
    return frozenset(out) - key - _LINK_WORDS


def _denies_words(parts: list[str], words: frozenset[str]) -> bool:
    """Whether a path's "without heart failure" names what the finding has."""
    return any(
        p.startswith("without ") and frozenset(stems(p.removeprefix("without "))) <= words
        for p in parts
    )


def _unrelated(finding: Finding, main: str, denied: Sequence[Finding]) -> bool:
    """Whether the note denies the finding's link with the main term ("age-related
    cataract, not related to the diabetes"): a denied clause of its sentence, or of its
    own words, names the main term."""
    key = frozenset(stems(main))
    if key <= frozenset(stems(finding.text)) and not key <= frozenset(stems(finding.coded_text)):
        return True
    return any(d.sentence == finding.sentence and key <= frozenset(stems(d.text)) for d in denied)


def replaced_codes(book: CodeBook, codes: Sequence[str]) -> set[str]:
    """The codes the combination codes replace: the category's "without complications"
    code (E11.9 beside E11.22) and I10 beside I11-I13."""
    out: set[str] = set()
    for code in codes:
        out.update(_without_complications(book, code[:3]))
        if code[:3] in REPLACED_BY_CATEGORY:
            out.add(REPLACED_BY_CATEGORY[code[:3]])
    return out - set(codes)

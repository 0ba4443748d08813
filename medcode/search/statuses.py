"""A device, opening or operation the patient has, read as the Index's status codes.

"has a g-tube", "pt has an insulin pump in place, status", "on home oxygen", "hx right TKA",
"s/p knee replacement": the query states a status, not the procedure or the supply. A coder
looks it up under the Index's status main terms, with the query's other words as subterms
(FY2025 Index):

- Status (post): gastrostomy Z93.1, colostomy Z93.3, dialysis Z99.2, ... ("see also
  Presence (of)");
- Presence (of): insulin pump Z96.41, knee-joint implant Z96.65-, cochlear implant Z96.21 ...;
- Dependence (on): oxygen Z99.81, on > ventilator Z99.11, on > wheelchair Z99.3 ... (its
  drug subterms are chapter 5 dependences, no status: only its Z codes are read here).

Every subterm of those main terms is read, none listed here. The one reading added is the
Index's own: "Status, organ replacement, by artificial or mechanical device or prosthesis
of, joint, knee: see Presence, knee joint implant", so a replaced joint ("knee
replacement", "hip arthroplasty", "TKA") is read with those words.
"""

from __future__ import annotations

import re
from typing import Any

from medcode.search.index_matcher import stems

# Main terms a status is filed under, and the code prefixes read from each.
STATUS_TERMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("status", ("",)),
    ("presence", ("",)),
    ("dependence", ("Z",)),
)
# A status said in so many words: "has a", "with a ... in place", "status", "on home",
# "dependent on", "uses a", "wears a", "wheelchair bound", "confined to"; a query opening
# with "on" ("on home oxygen 2L").
_STATUS_CUE = re.compile(
    r"\b(?:ha(?:s|ve) (?:a|an)|in place|status|on home|home \w+ user|dependent on"
    r"|depends on|uses? (?:a|an|home)|wears? (?:a|an)|lives? with (?:a|an)"
    r"|\w+[- ]bound|confined to)\b"
    r"|^\s*(?:(?:pt|patient|he|she) (?:is )?)?on\b",
    re.IGNORECASE,
)
# "knee replacement", "hip arthroplasty", "prosthetic knee": a replaced organ or joint
# (Status, organ replacement, by artificial or mechanical device or prosthesis of).
_REPLACED = frozenset(
    stems("replacement replaced arthroplasty prosthesis prosthetic artificial implant")
)
_REPLACEMENT_PATH = "organ replacement artificial mechanical device prosthesis implant"


# "on the ventilator for 3 days": a spell of hours or days is the procedure (ICD-10-PCS
# Assistance, Respiratory Ventilation, 24-96 Consecutive Hours), not a standing status.
_SPELL = re.compile(r"\b\d+\s*(?:-\s*\d+\s*)?(?:hours?|hrs?|days?|nights?)\b", re.IGNORECASE)


def says_status(text: str) -> bool:
    """Whether the query states a status in so many words ("has a g-tube", "on home
    oxygen"), not a spell of hours or days; the status codes are read only when the Index
    names one (status_codes)."""
    return _STATUS_CUE.search(text) is not None and _SPELL.search(text) is None


def replacement_words(index: Any, words: frozenset[str]) -> frozenset[str]:
    """For a replaced organ or joint ("knee replacement", "TKA"), the query's stems with
    the words of the Index's path Status, organ replacement, by artificial or mechanical
    device or prosthesis of; and "joint" when it names a joint the Index lists under
    Presence, joint implant (ankle, elbow, finger, hip, knee, shoulder, wrist). Empty when
    it names no replacement."""
    if not words & _REPLACED:
        return frozenset()
    more = set(words) | set(stems(_REPLACEMENT_PATH))
    if words & _implant_joints(index):
        more.add("joint")
    return frozenset(more)


def _implant_joints(index: Any) -> frozenset[str]:
    """The joints the Index names under Presence > joint implant, as stems."""
    cached = getattr(index, "_implant_joints", None)
    if cached is None:
        found: set[str] = set()
        for root in index.by_name.get("presence", []):
            for child in root.children:
                if child.words == frozenset(stems("joint implant")):
                    found |= {w for c in child.children for w in c.words}
        cached = frozenset(found - frozenset(stems("specified joint")))
        index._implant_joints = cached
    return cached


def status_codes(index: Any, book: Any, text: str, *, limit: int = 2) -> list[str]:
    """The billable status codes the Index gives under Status, Presence and Dependence for
    the query's words, most words first ("has a g-tube": Status, gastrostomy Z93.1); a
    replaced joint by the Index's organ replacement path ("s/p knee replacement":
    Presence, knee joint implant Z96.65-)."""
    words = frozenset(stems(text))
    hits = []
    for name, prefixes in STATUS_TERMS:
        hits += [h for h in index.lookup_under(name, words) if h.code.startswith(prefixes)]
    hits.sort(key=lambda h: (-h.words, -h.depth))
    replaced = replacement_words(index, words)
    if replaced:
        # After what the words name themselves ("breast implant": Z98.82, not Z97.8).
        more = [h for h in index.lookup_under("status", replaced) if _REPLACEMENT in h.path]
        hits += sorted(more, key=lambda h: (-h.words, -h.depth))
    out: list[str] = []
    for hit in hits:
        code = book.resolve(hit.code, words)
        if code and code not in out:
            out.append(code)
    return out[:limit]


_REPLACEMENT = "organ replacement"


# "on Plavix", "takes Humira": a drug taken for good is a status too (Long-term (current)
# drug therapy, Z79.-, read by drug_use.find_drug_use), when the query says nothing else
# ("on warfarin, INR 6" asks for the finding).
_MORE_SAID = re.compile(r"[,;.]|\b(?:and|with|for|but|after|because|from|due)\b", re.IGNORECASE)


def is_drug_status(text: str) -> bool:
    """Whether the query states a drug taken for good and nothing more ("on Plavix")."""
    return says_status(text) and _MORE_SAID.search(text) is None


def generic_reading(text: str) -> str:
    """The query with the brand drug names it says in their first established (generic)
    name (laywords.BRAND_NAMES): "on plavix" -> "on clopidogrel"."""
    from medcode.search.laywords import BRAND_NAMES
    from medcode.search.ranking import brand_names

    low = text.lower()
    for brand in brand_names(low.split()):
        generics = BRAND_NAMES.get(brand, ())
        if generics:
            low = re.sub(rf"\b{re.escape(brand)}\b", generics[0], low)
    return low

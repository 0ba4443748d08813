"""The ICD-10-CM Table of Drugs and Chemicals read for a lay query, as a coder reads it.

A query that names a substance the Table lists and says what happened ("accidental fentanyl
overdose", "took a bottle of ibuprofen to kill himself", "dry cough from lisinopril", "ran
out of his insulin", "bit by a black widow spider") leads to the Table's cell for that
substance in the column the words choose:

- taken as prescribed ("as prescribed", "as directed"): adverse effect (guideline I.C.19.e.5.a);
- assault (said of another: "assault", "someone poisoned him"), tried before self-harm so
  that "on purpose" by another person is not read as the patient's own act;
- intentional self-harm ("to kill himself", "suicide attempt", "on purpose");
- undetermined intent (when said);
- underdosing ("missed doses", "ran out of", "stopped taking"; guideline I.C.19.e.5.c);
- poisoning ("overdose", "poisoning", "took too many", "swallowed", "got into"), accidental
  unless another intent is said (guideline I.C.19.e.5.b: no intent stated is accidental);
- adverse effect ("side effect", "reaction to", "<symptom> from <drug>"; "allergic to" alone
  is an allergy status, Z88, not an adverse effect);
- a bite or sting of a venomous animal (the Table's "Venom, venomous (bite) (sting)"): the
  toxic effect, accidental.

A query that names a drug and none of these asks for the drug itself (a HCPCS drug code),
so the Table is not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from medcode.search.index_matcher import place, set_keys, stems
from medcode.search.querytext import EYE_WORDS, affirmed

_NEMOD = re.compile(r"\(([^)]*)\)")

# Columns of the Table (IndexEntry.cells keys), as the importer names them.
ACCIDENTAL = "poisoning_accidental"
SELF_HARM = "poisoning_intentional_self_harm"
ASSAULT = "poisoning_assault"
UNDETERMINED = "poisoning_undetermined"
ADVERSE = "adverse_effect"
UNDERDOSING = "underdosing"


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


# The words that pick a column, in the order they are tried.
_AS_PRESCRIBED = _cue(
    r"as (?:prescribed|directed|ordered)|correct(?:ly)? (?:dose|dosed|prescribed)"
    r"|properly (?:taken|given|administered)|therapeutic dose"
)
# "homicide", not "homicidal": homicidal ideation is the patient's thought, not a poisoning by
# another; "tried to poison her" is another's act ("to poison herself" is not matched).
_ASSAULT = _cue(r"assault\w*|homicide|(?:poisoned|to poison) (?:him|her|them|me)|someone poisoned")
_SELF_HARM = _cue(
    r"suicid\w*|self[- ]?harm\w*|kill (?:him|her|my|your|them|our)sel(?:f|ves)|to die"
    r"|intentional(?:ly)?|on purpose|deliberate(?:ly)?"
    r"|(?:tried|trying|tries|attempted|attempting|wanted) to (?:overdose|od|o\.d|poison)"
    r"|hurt (?:him|her|my|your|them|our)sel(?:f|ves)"
)
_UNDETERMINED = _cue(r"undetermined(?: intent)?")
_UNDERDOSING = _cue(
    r"underdos\w*|missed (?:\w+ )?doses?|missing (?:\w+ )?doses?|ran out of|run out of"
    r"|stopped taking|not taking|forgot (?:to take|(?:\w+ )?doses?)|too little"
    r"|less (?:\w+ )?than (?:prescribed|directed)"
    r"|skipp(?:ed|ing) (?:\w+ )?(?:doses?|pills?|meds?|medications?)"
    # "skipped my insulin", not "skipped my lunch" (a meal missed is no dose missed)
    r"|skipp(?:ed|ing) (?:my|his|her|their|your)"
    r"(?! (?:meals?|lunch|breakfast|dinner|supper|food|snacks?)\b)"
    r"|quit taking|stopped (?:using|her|his|my)"
    r"|(?:didn'?t|did not|doesn'?t|does not|hasn'?t|has not|haven'?t|have not) (?:been )?"
    r"tak(?:e|en|ing)"
    # "took too many, did not take them on purpose" denies the intent, not the dose
    r"(?![^,.;]*\b(?:on purpose|intentional(?:ly)?|deliberate(?:ly)?|to (?:hurt|harm|kill|die)))"
)
_POISONING = _cue(
    r"poison\w*|overdos\w*|od|o\.d|too (?:many|much)|ate|eaten|swallowed|ingested"
    r"|got into|gets into|getting into|drank|accidental(?:ly)?|by (?:mistake|accident)|in error"
    r"|mistaken(?:ly)?|wrong (?:medicine|medication|meds?|pills?|drug|dose|tablets?)"
    r"|(?:double|extra) dos\w*|took (?:an? )?extra|mix(?:ed)?[- ]up"
)
_ADVERSE = _cue(
    r"adverse|side[- ]effects?|reactions?|reacted|from|due to|caused by|induced"
    r"|after (?:taking|starting|receiving|getting)|because of"
)
_BITE = _cue(r"bites?|bit|bitten|stings?|stung|envenom\w*")
# "anemia from low iron", "weak from low potassium": a deficiency, not an adverse effect.
_DEFICIENCY = _cue(r"low|deficien\w*|lack of|not enough|insufficient")
# Everyday past forms the stemmer does not meet: "bit by a spider", "stung by a bee".
_IRREGULAR = {"bit": "bite", "bitten": "bite", "stung": "sting", "bites": "bite"}
_WORD = re.compile(r"[a-z0-9]+")
# A drug said without its name (as query_words stems them).
_UNNAMED_DRUG = frozenset(
    stems("medicine medicines medication medications meds pill pills tablets drugs")
)
_EYE_SIDE = re.compile(r"\b(?:od|os|ou)\b", re.IGNORECASE)


def intent_column(text: str) -> str | None:
    """The Table column the query's words ask for, or None when they ask for none."""
    if EYE_WORDS & set(_WORD.findall(text.lower())):
        # "steroid induced glaucoma OD": beside an eye word OD is the right eye
        # (querytext.side_words), not an overdose.
        text = _EYE_SIDE.sub(" ", text)
    for pattern, column in (
        (_AS_PRESCRIBED, ADVERSE),
        (_ASSAULT, ASSAULT),
        (_SELF_HARM, SELF_HARM),
        (_UNDETERMINED, UNDETERMINED),
        (_UNDERDOSING, UNDERDOSING),
        (_POISONING, ACCIDENTAL),
        (_ADVERSE, ADVERSE),
        (_BITE, ACCIDENTAL),
    ):
        if _affirmed(pattern, text):
            if pattern is _ADVERSE and _DEFICIENCY.search(text):
                return None
            return column
    return None


# A cue said under a negation picks no column: "not trying to hurt herself", "denies wanting
# to hurt herself", "no suicidal ideation", "not taking it as prescribed". The negation counts
# within the cue's clause and up to four words before it (querytext.affirmed; a colon ends a
# clause here too).
_CLAUSE_BREAK = re.compile(r"[,.;:]|\bbut\b", re.IGNORECASE)


def _affirmed(pattern: re.Pattern[str], text: str) -> bool:
    """True when the cue occurs at least once outside a negation."""
    return affirmed(pattern, text, breaks=_CLAUSE_BREAK)


@dataclass(eq=False)
class Substance:
    term: str
    keys: tuple[frozenset[str], ...]  # word sets that name it
    also: frozenset[str]  # its nonessential modifiers' words ("bite", "sting" of Venom)
    cells: dict[str, str]
    children: list[Substance] = field(default_factory=list)


@dataclass
class DrugTable:
    roots: list[Substance]
    by_word: dict[str, list[Substance]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for root in self.roots:
            for word in {w for key in root.keys for w in key} | root.also:
                self.by_word.setdefault(word, []).append(root)

    def cells(self, words: frozenset[str]) -> list[tuple[dict[str, str], int, str]]:
        """(cells, words used, path) of the deepest entries the words name, most words
        first. A main term may be named by its nonessential modifiers ("Venom, venomous
        (bite) (sting)" by "bite") only when a subterm is named too ("spider > black widow")."""
        found: list[tuple[dict[str, str], int, str]] = []
        seen: set[int] = set()
        for word in sorted(words):
            for root in self.by_word.get(word, ()):
                if id(root) in seen:
                    continue
                seen.add(id(root))
                key = next((k for k in root.keys if k <= words), None)
                if key is not None:
                    found.extend(_descend(root, words, len(key), root.term))
                elif root.also & words:
                    used = len(root.also & words)
                    below = [
                        hit
                        for child in root.children
                        for k in child.keys[:1]
                        # "Sulfur (medicinal) > medicinal": a subterm named only by the main
                        # term's modifier words names nothing more ("wrong medicine").
                        if k and k <= words and not k <= root.also
                        for hit in _descend(child, words, used + len(k), f"{root.term} > ...")
                    ]
                    found.extend(below)
        found.sort(key=lambda item: -item[1])
        return found


def _descend(
    node: Substance, words: frozenset[str], used: int, path: str
) -> list[tuple[dict[str, str], int, str]]:
    deeper: list[tuple[dict[str, str], int, str]] = []
    for child in node.children:
        key = next((k for k in child.keys if k and k <= words), None)
        if key is not None:
            deeper.extend(_descend(child, words, used + len(key), f"{path} > {child.term}"))
    if not deeper:
        # "lithium carbonate": a subterm named by its nonessential modifier alone (Table of
        # Drugs FY2025, "Lithium > salts (carbonate)" T43.591), when no subterm is named by
        # its own words; the parent's own modifier words name no subterm.
        parent = node.also | {w for key in node.keys for w in key}
        for child in node.children:
            named = (child.also & words) - parent
            if named:
                deeper.extend(_descend(child, words, used + len(named), f"{path} > {child.term}"))
    if deeper:
        return deeper
    return [(node.cells, used, path)] if node.cells else []


def build_table(rows: Sequence[tuple[int, str, dict[str, str] | None]]) -> DrugTable:
    """The Table from (level, term, cells) rows in file order."""
    roots: list[Substance] = []
    stack: list[Substance] = []
    for level, term, cells in rows:
        cells = cells or {}
        nemod = " ".join(_NEMOD.findall(cells.get("nemod", "")))
        node = Substance(
            term=term,
            keys=(),
            also=frozenset(stems(nemod)),
            cells={k: v for k, v in cells.items() if k != "nemod" and v and v != "--"},
        )
        place(node, level, roots, stack)
    set_keys(roots)
    return DrugTable(roots=roots)


def query_words(text: str) -> frozenset[str]:
    lowered = " ".join(_IRREGULAR.get(w, w) for w in text.lower().split())
    return frozenset(stems(lowered))


def table_codes(table: DrugTable, text: str) -> list[str]:
    """The Table's codes for the substances `text` names, in the column its words ask for
    (undotted, as the Table gives them: "T40411"); [] when it asks for no column."""
    column = intent_column(text)
    if column is None:
        return []
    words = query_words(text)
    found = table.cells(words)
    if not found and words & _UNNAMED_DRUG:
        # "took the wrong medicine", "got into the pills": no substance named, the Table's
        # Drug NEC (Wrong drug (by accident): see Table of Drugs and Chemicals, by drug).
        found = table.cells(frozenset({"drug"}))
    out: list[str] = []
    for cells, _, _ in found:
        code = cells.get(column, "").replace(".", "").replace("-", "").upper()
        if code and code not in out:
            out.append(code)
    return out


@lru_cache(maxsize=2)
def load_drug_table(generation: str = "") -> DrugTable:
    """The current releases' Table of Drugs and Chemicals (cached per data generation)."""
    from medcode.codes.models import IndexEntry

    rows = (
        IndexEntry.objects.filter(table="drug", release__is_current=True)
        .order_by("release_id", "seq")
        .values_list("level", "term", "cells")
    )
    return build_table(list(rows))


# The allergy status code (Z88, Tabular FY2026) of a drug named in the Table, by the class
# its adverse-effect code names (Tabular T36-T50 category titles): penicillins T36.0 ->
# Z88.0 "Allergy status to penicillin"; other systemic antibiotics T36.1-T36.9 -> Z88.1;
# sulfonamides T37.0 -> Z88.2; other anti-infectives T37.1-T37.9 -> Z88.3; anesthetics
# T41.0-T41.4 -> Z88.4; opioids and other narcotics T40.0-T40.4, T40.6 -> Z88.5 (narcotic
# agent); nonopioid analgesics T39 -> Z88.6; vaccines and sera T50.A-T50.Z -> Z88.7;
# any other drug -> Z88.8 (other drugs, medicaments and biological substances).
ALLERGY_STATUS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("T360",), "Z880"),
    (("T36",), "Z881"),
    (("T370",), "Z882"),
    (("T37",), "Z883"),
    (("T410", "T411", "T412", "T413", "T414"), "Z884"),
    (("T400", "T401", "T402", "T403", "T404", "T406"), "Z885"),
    (("T39",), "Z886"),
    (("T50A", "T50B", "T50Z"), "Z887"),
    (("T",), "Z888"),
)


def allergy_status_codes(table: DrugTable, text: str) -> list[str]:
    """The allergy status codes (Z88) of the drugs `text` names, by the Table's adverse
    effect column ("allergic to codeine": Codeine T40.2X5 -> Z88.5)."""
    out: list[str] = []
    for cells, _, _ in table.cells(query_words(text)):
        code = cells.get(ADVERSE, "").replace(".", "").replace("-", "").upper()
        status = next((z for prefixes, z in ALLERGY_STATUS if code.startswith(prefixes)), "")
        if code and status not in out:
            out.append(status)
    return out

"""Long-term (current) drug use codes (Z79.-) for "on <drug>" in a note, read from the
ICD-10-CM Alphabetic Index and Table of Drugs and Chemicals rather than a list of ours.

The index's "Long-term (current) (prophylactic) drug therapy (use of)" names drugs
("aspirin" Z79.82, "insulin" Z79.4) and drug classes ("anticoagulants" Z79.01, "oral >
antidiabetic" Z79.84). A drug it does not name is placed in a class through the Drug Table:
warfarin's adverse-effect code T45.515 starts like that of "Anticoagulant NEC", so warfarin
is an anticoagulant and "on warfarin" gives Z79.01.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from medcode.search.index_matcher import stem

# Words that say a drug is taken regularly: "on warfarin", "takes metformin", "has taken
# aspirin for years", "managed with metformin", and a medication list ("Medications: ...").
# What follows is read up to the end of the clause, doses and all ("metformin 1000 mg twice
# daily and insulin glargine 30 units nightly"). Not a drug stopped: "taken off warfarin",
# "Discontinued medications: ...".
_ON_DRUG = re.compile(
    r"(?:\b(?:on|takes|taking|taken(?! off| from| out)|uses|using|maintained on|"
    r"treated chronically with|managed with|currently on|receiving)\s+|"
    r"\b(?:home |current |discharge )?(?<!discontinued )(?<!stopped )(?<!held )"
    r"(?:medications|meds|therapy)\s*:\s*)([^.;:\n]{1,100})",
    re.IGNORECASE,
)
# Where the drugs in use end: "on metformin, was given ceftriaxone" names one drug in use.
_CLAUSE_END = re.compile(
    r"\b(?:was|were|is|are|but|then|given|after|because|which|who|when|while|until|for (?!\d))\b",
    re.IGNORECASE,
)
# Before a cue, words that say the drug is not taken now: "stopped taking aspirin", "no longer
# on insulin", "not on a blood thinner", "quit using".
_STOPPED_BEFORE = re.compile(
    r"\b(?:stopped|stop|quit|discontinued|held|no longer|not|never)\s+(?:\w+\s+)?\Z",
    re.IGNORECASE,
)
# Where a stopped drug's clause turns to what is taken now.
_STOPPED_SCOPE_END = re.compile(r",|\b(?:now|but|switched|started|instead)\b", re.IGNORECASE)
# After a drug's name, words that make it an allergy, not a drug in use ("aspirin allergy").
_ALLERGY_AFTER = re.compile(r"\A\W{0,3}(?:allerg|intoleran|sensitivity)", re.IGNORECASE)
_INJECTED = re.compile(r"\b(?:inject\w*|subcutaneous\w*|s\.?c\.?|pen)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DrugUse:
    drug: str
    code: str  # undotted Z79 code
    start: int
    end: int


@dataclass
class LongTermTable:
    by_name: dict[str, str] = field(default_factory=dict)  # "aspirin" -> Z7982
    # the Index's entries of several words, as a note words them: "oral contraceptive" -> Z793
    by_phrase: dict[str, str] = field(default_factory=dict)
    # drug-table code stem -> (Z79 code, is under "oral", is for injection)
    by_class: dict[str, list[tuple[str, bool, bool]]] = field(default_factory=dict)
    drug_class: dict[str, str] = field(default_factory=dict)  # "warfarin" -> "T4551"

    def code_for(self, drug: str, *, injected: bool) -> str | None:
        name = drug.lower()
        if name in self.by_name:
            return self.by_name[name]
        klass = self.drug_class.get(name)
        if not klass:
            return self.class_word_code(name)
        options = self.by_class.get(klass, [])
        if not options:
            return None
        best = max(options, key=lambda o: (o[2] == injected, o[1] != injected))
        return best[0]

    def class_word_code(self, word: str) -> str | None:
        """The code of a drug class the Index names in one word, for another form of that
        word: "on chronic anticoagulation" is on "anticoagulants" (Z79.01), "on a
        bisphosphonate" on "bisphosphonates" (Z79.83). One stem must begin the other, both
        of CLASS_WORD_CHARS or more, so no short drug name meets a class by chance."""
        if len(word) < CLASS_WORD_CHARS:
            return None
        own = stem(word)
        if len(own) < CLASS_WORD_CHARS:
            return None
        for name, code in self.by_name.items():
            other = stem(name)
            if len(other) >= CLASS_WORD_CHARS and (own.startswith(other) or other.startswith(own)):
                return code
        return None


CLASS_WORD_CHARS = 9


def _drug_stem(code: str) -> str:
    """T45.515 -> T4551: the drug group without the intent character."""
    return code.replace(".", "").upper()[:5]


def build_table(
    long_term: list[tuple[str, str]], drugs: list[tuple[str, dict[str, str]]]
) -> LongTermTable:
    """`long_term`: (path below "Long-term", code) rows; `drugs`: level-0 Drug Table rows
    (term, cells)."""
    table = LongTermTable()
    class_names: dict[str, str] = {}  # stem of a class word -> drug stem ("anticoagul" ...)
    for term, cells in drugs:
        # "--": the Table has no such code (a chemical has no adverse effect)
        code = next(
            (
                c
                for c in (cells.get("adverse_effect"), cells.get("poisoning_accidental"))
                if c and c != "--"
            ),
            "",
        )
        if not code:
            continue
        name = re.sub(r"\s*\(.*?\)", "", term).strip().lower()
        table.drug_class.setdefault(name, _drug_stem(code))
        if name.endswith(" nec"):
            class_names[stem(name.removesuffix(" nec").split()[-1])] = _drug_stem(code)
    # "antibiotics > short-term use - omit code": named alone, such a class is no long-term use.
    omitted = {path.rsplit(">", 1)[0].strip().lower() for path, _ in long_term if "omit" in path}
    for path, code in long_term:
        parts = [p.strip().lower() for p in path.split(">")]
        leaf = parts[-1]
        if not code:
            continue
        # A drug the Index names ("letrozole", "tacrolimus"), in the Drug Table or not.
        if len(parts) == 1 and re.fullmatch(r"[a-z][a-z0-9-]*", leaf) and leaf not in omitted:
            table.by_name[leaf] = code
        for phrase in phrasings(parts):
            table.by_phrase.setdefault(phrase, code)
        is_oral = "oral" in parts
        injected = "injectable" in leaf
        for word in re.findall(r"[a-z-]+", leaf):
            klass = class_names.get(stem(word))
            if klass:
                table.by_class.setdefault(klass, []).append((code, is_oral, injected))
    return table


def phrasings(parts: list[str]) -> list[str]:
    """How a note words an Index entry of several words: "oral > contraceptive" and
    "contraceptive, oral" as "oral contraceptive", "steroids > inhaled" as "inhaled
    steroids", "birth control pill or patch" as "birth control pill" and "... patch"."""
    if len(parts) == 2:
        readings = [" ".join(parts), " ".join(reversed(parts))]
    elif len(parts) == 1 and ", " in parts[0]:
        head, _, tail = parts[0].partition(", ")
        readings = [f"{tail} {head}"]
    elif len(parts) == 1 and " or " in parts[0]:
        first, _, other = parts[0].partition(" or ")
        readings = [first, " ".join([*first.split()[:-1], other])]
    else:
        readings = [parts[0]]
    return [r for r in readings if " " in r and re.fullmatch(r"[a-z -]+", r)]


def find_drug_use(text: str, table: LongTermTable) -> list[DrugUse]:
    found: list[DrugUse] = []
    for m in _ON_DRUG.finditer(text):
        end = _CLAUSE_END.search(m.group(1))
        words = m.group(1)[: end.start()] if end else m.group(1)
        # A drug stopped ("no longer on insulin") is none in use, up to where the note turns to
        # what is taken now ("no longer on insulin, now on metformin").
        first = 0
        if _STOPPED_BEFORE.search(text[max(0, m.start() - 30) : m.start()]):
            turn = _STOPPED_SCOPE_END.search(words)
            if not turn:
                continue
            first = turn.end()
        tail = text[m.start(1) + len(words) :][:40]
        injected = bool(_INJECTED.search(words + " " + tail))
        for w in re.finditer(r"[A-Za-z][A-Za-z0-9-]+", words[first:]):
            code = table.code_for(w.group(), injected=injected)
            if code and not _ALLERGY_AFTER.search(words[first + w.end() :]):
                start = m.start(1) + first + w.start()
                found.append(DrugUse(w.group(), code, start, start + len(w.group())))
        low = words.lower()
        for phrase, code in table.by_phrase.items():
            at = re.search(rf"\b{re.escape(phrase)}s?\b", low)
            if at and at.start() >= first:
                start = m.start(1) + at.start()
                found.append(DrugUse(phrase, code, start, start + len(phrase)))
    return found


@lru_cache(maxsize=2)
def load_long_term_table(generation: str = "") -> LongTermTable:
    from medcode.codes.models import IndexEntry

    current = IndexEntry.objects.filter(release__is_current=True)
    long_term = [
        (path.split(">", 1)[1], code.replace(".", "").upper())
        for path, code in current.filter(table="index", path__startswith="Long-term >").values_list(
            "path", "code"
        )
    ]
    drugs = list(current.filter(table="drug", level=0).values_list("term", "cells"))
    return build_table(long_term, drugs)

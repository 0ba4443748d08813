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
    # "overdosed on oxycodone" is a poisoning, not a drug in use
    r"(?:(?<!overdosed )(?<!overdose )(?<!od )(?<!od'd )"
    r"\b(?:on|takes|taking|taken(?! off| from| out)|uses|using|maintained on|"
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
# How a drug is taken, read next to its name (up to the next drug of a list): the Index
# splits "steroids" into "inhaled" (Z79.51) and "systemic" (Z79.52).
_INHALED = re.compile(r"\b(?:inhal\w*|nebuli[sz]\w*|nebs?|puffs?|mdi|hfa|dpi)\b", re.IGNORECASE)
# ... and a drug put on the skin, the eye or the nose is neither: no long-term code is read.
_LOCAL = re.compile(
    r"\b(?:topical\w*|cream|ointment|lotion|gel|nasal\w*|intranasal|eye drops?|ophthalmic|"
    r"otic|ear drops?|intra-?articular|enema|suppositor\w*)\b",
    re.IGNORECASE,
)
_DRUG_END = re.compile(r"[,;]|\band\b|\bplus\b", re.IGNORECASE)
# Routes the Index names below a class ("steroids > inhaled", "oral > antidiabetic").
ROUTES = frozenset({"inhaled", "systemic", "oral", "injectable"})
# A class word of the Index's Long-term subterms that the Table of Drugs files under another
# class name: "opiate analgesic" (Z79.891) covers the drugs the Table puts under "Opioid NEC"
# (T40.2X-: oxycodone, hydrocodone, morphine, codeine, hydromorphone; Table of Drugs 2025,
# rows Opioid NEC, Oxycodone, Hydrocodone, Morphine). The Table's "Opiate NEC" (T40.60-) is
# read as before; methadone (T40.3-, Index: Long-term, methadone for pain management) and
# buprenorphine (T40.49-) are not, as a note names them for opioid use disorder as often.
CLASS_ALSO: dict[str, tuple[str, ...]] = {"opiate": ("opioid",)}


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
    # drug-table code stem -> (Z79 code, route the Index names: "oral", "injectable",
    # "inhaled", "systemic" or "")
    by_class: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    drug_class: dict[str, str] = field(default_factory=dict)  # "warfarin" -> "T4551"
    # stem of a class word of the Index -> its drug-table code stem ("steroid" -> "T380X"),
    # so "on chronic steroids" reads like "on prednisone"
    class_words: dict[str, str] = field(default_factory=dict)

    def code_for(self, drug: str, *, route: str = "") -> str | None:
        """The Z79 code for a drug (or a class word) taken by `route` ("injected",
        "inhaled", "local" or "" when the note does not say)."""
        name = drug.lower()
        if name in self.by_name:
            return self.by_name[name]
        klass = self.drug_class.get(name) or self.class_words.get(stem(name))
        if not klass:
            return self.class_word_code(name)
        return self.route_code(self.by_class.get(klass, []), route)

    @staticmethod
    def route_code(options: list[tuple[str, str]], route: str) -> str | None:
        """The option for the route: an injected drug's "injectable" entry, an inhaled one's
        "inhaled", else the oral, systemic or plain one. A drug put on the skin, eye or nose
        gets only a plain entry (no systemic use is read for it)."""
        if route == "local":
            options = [o for o in options if not o[1]]
        if not options:
            return None
        wanted = {"injected": "injectable", "inhaled": "inhaled"}.get(route, "")

        def rank(option: tuple[str, str]) -> tuple[bool, bool]:
            return bool(wanted) and option[1] == wanted, option[1] in ("oral", "systemic", "")

        return max(options, key=rank)[0]

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
    # a one-word row that is no NEC row ("Steroid" T38.0X-), read for a class the Index
    # splits by route ("steroids > inhaled / systemic")
    plain_names: dict[str, str] = {}
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
        elif re.fullmatch(r"[a-z]+", name):
            plain_names.setdefault(stem(name), _drug_stem(code))
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
        route = next((r for r in ROUTES if r in leaf.split() or r in parts[:-1]), "")
        route = "injectable" if "injectable" in leaf else route
        for word, klass, is_word in class_stems(parts, class_names, plain_names):
            table.by_class.setdefault(klass, []).append((code, route))
            if is_word:
                table.class_words.setdefault(word, klass)
    return table


def class_stems(
    parts: list[str], class_names: dict[str, str], plain_names: dict[str, str]
) -> list[tuple[str, str, bool]]:
    """(stem of a class word, drug-table code stem, whether a note may name the class by
    that word) for a Long-term path: the leaf's words that name a Table class
    ("anticoagulants" -> Anticoagulant NEC), the other class names the Index's word covers
    (CLASS_ALSO: "opioids"), and, below a route ("steroids > inhaled"), the parent's words,
    a plain Table row too ("Steroid"). Only the last two are read as words of a note ("on
    chronic opioids", "on steroids"): "agent", "drug" or "inhibitor" alone name no class."""
    found: list[tuple[str, str, bool]] = []
    for word in re.findall(r"[a-z-]+", parts[-1]):
        for name in (word, *CLASS_ALSO.get(word, ())):
            klass = class_names.get(stem(name))
            if klass:
                found.append((stem(name), klass, name != word))
    if len(parts) > 1 and parts[-1] in ROUTES:
        for word in re.findall(r"[a-z-]+", " ".join(parts[:-1])):
            klass = class_names.get(stem(word)) or plain_names.get(stem(word))
            if klass:
                found.append((stem(word), klass, True))
    return found


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
        for w in re.finditer(r"[A-Za-z][A-Za-z0-9]+", words[first:]):
            before = words[first : first + w.start()]
            route = drug_route(before, words[first + w.end() :] + " " + tail)
            code = table.code_for(w.group(), route=route)
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


def drug_route(before: str, after: str) -> str:
    """How the drug between `before` and `after` is taken, read from the previous drug of
    a list to the next: "local" (skin, eye, nose), "inhaled", "injected" or "" (not
    said)."""
    end = _DRUG_END.search(after)
    starts = list(_DRUG_END.finditer(before))
    own = (
        before[starts[-1].end() if starts else 0 :]
        + " "
        + (after[: end.start()] if end else after[:40])
    )
    if _LOCAL.search(own):
        return "local"
    if _INHALED.search(own):
        return "inhaled"
    return "injected" if _INJECTED.search(own) else ""


# An HCPCS long description that lists a drug class's members: G9531 "... currently taking
# an antiplatelet medication including: abciximab, anagrelide, cangrelor, cilostazol,
# clopidogrel, ... ticagrelor, tirofiban, or vorapaxar" (HCPCS 2026 January). Drugs newer
# than the Table of Drugs (clopidogrel is not in its 2025 edition) get their class there.
_CLASS_LIST = re.compile(
    r"(?i)\btaking an? ([a-z-]+) (?:medication|drug|agent)s? including:?\s*([a-z, -]+)"
)


def class_members(titles: list[str]) -> dict[str, str]:
    """Drug -> class word, from HCPCS long descriptions that list a class's members."""
    out: dict[str, str] = {}
    for title in titles:
        for m in _CLASS_LIST.finditer(title):
            for name in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+", m.group(2)):
                name = name.strip().lower()
                if re.fullmatch(r"[a-z][a-z-]+", name):
                    out.setdefault(name, m.group(1).lower())
    return out


def add_members(table: LongTermTable, members: dict[str, str]) -> None:
    """A listed drug the Index does not name takes its class's Long-term code
    ("antiplatelet" Z79.02 for clopidogrel)."""
    for drug, klass in members.items():
        code = table.by_name.get(klass) or table.class_word_code(klass)
        if code and drug not in table.by_name:
            table.by_name[drug] = code


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
    table = build_table(long_term, drugs)
    from medcode.codes.models import CodeSystem
    from medcode.search.models import Document

    listing = (
        Document.objects.current()
        .filter(system=CodeSystem.HCPCS, title__icontains="medication including")
        .values_list("title", flat=True)
    )
    add_members(table, class_members(list(listing)))
    return table

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

# Words that say a drug is taken regularly: "on warfarin", "takes metformin".
_ON_DRUG = re.compile(
    r"\b(?:on|takes|taking|maintained on|treated chronically with|currently on|receiving)\s+"
    r"((?:[a-z][a-z0-9-]*(?:\s+|,\s*|\s+and\s+)?){1,6})",
    re.IGNORECASE,
)
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
    # drug-table code stem -> (Z79 code, is under "oral", is for injection)
    by_class: dict[str, list[tuple[str, bool, bool]]] = field(default_factory=dict)
    drug_class: dict[str, str] = field(default_factory=dict)  # "warfarin" -> "T4551"

    def code_for(self, drug: str, *, injected: bool) -> str | None:
        name = drug.lower()
        if name in self.by_name:
            return self.by_name[name]
        klass = self.drug_class.get(name)
        if not klass:
            return None
        options = self.by_class.get(klass, [])
        if not options:
            return None
        best = max(options, key=lambda o: (o[2] == injected, o[1] != injected))
        return best[0]


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
        code = cells.get("adverse_effect") or cells.get("poisoning_accidental") or ""
        if not code:
            continue
        name = re.sub(r"\s*\(.*?\)", "", term).strip().lower()
        table.drug_class.setdefault(name, _drug_stem(code))
        if name.endswith(" nec"):
            class_names[stem(name.removesuffix(" nec").split()[-1])] = _drug_stem(code)
    for path, code in long_term:
        parts = [p.strip().lower() for p in path.split(">")]
        leaf = parts[-1]
        if len(parts) == 1 and leaf.isalpha() and leaf in table.drug_class:
            table.by_name[leaf] = code
        is_oral = "oral" in parts
        injected = "injectable" in leaf
        for word in re.findall(r"[a-z-]+", leaf):
            klass = class_names.get(stem(word))
            if klass:
                table.by_class.setdefault(klass, []).append((code, is_oral, injected))
    return table


def find_drug_use(text: str, table: LongTermTable) -> list[DrugUse]:
    found: list[DrugUse] = []
    for m in _ON_DRUG.finditer(text):
        tail = text[m.end() : m.end() + 40]
        injected = bool(_INJECTED.search(m.group(1) + " " + tail))
        for w in re.finditer(r"[A-Za-z][A-Za-z0-9-]+", m.group(1)):
            code = table.code_for(w.group(), injected=injected)
            if code:
                start = m.start(1) + w.start()
                found.append(DrugUse(w.group(), code, start, start + len(w.group())))
    return found


@lru_cache(maxsize=2)
def load_long_term_table(generation: str = "") -> LongTermTable:
    from medcode.codes.models import IndexEntry

    current = IndexEntry.objects.filter(release__is_current=True)
    long_term = [
        (path.split(">", 1)[1], code.replace(".", "").upper())
        for path, code in current.filter(table="index", path__startswith="Long-term >")
        .exclude(code="")
        .values_list("path", "code")
    ]
    drugs = list(current.filter(table="drug", level=0).values_list("term", "cells"))
    return build_table(long_term, drugs)

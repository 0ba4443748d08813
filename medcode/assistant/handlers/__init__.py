"""Kinds of question CasePilot recognises beyond the router's intents, one small module each.

Each handler module defines `HANDLER`: its name (the answer's intent), a `score` function of
the understood question (pure: no database; 0 means "not mine", the highest score wins), the
builder that writes the answer, and example questions its tests read. A new kind of question
is a new module listed in `MODULES` plus its examples; nothing else changes. When no handler
scores, the router's intent (intent.py) and its builder (builders.py) answer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from medcode.assistant.context import Context
from medcode.assistant.facts import Draft
from medcode.assistant.intent import Question


@dataclass(frozen=True)
class Handler:
    name: str
    score: Callable[[Question], float]
    build: Callable[[Context], Draft]
    examples: tuple[str, ...]


# In order of precedence when two score the same.
MODULES = (
    "ms_drg",
    "ncd_coverage",
    "dmepos_payment",
    "locality_payment",
    "drug_waste",
    "drug_units",
    "global_modifier",
    "modifier_fit",
    "procedure_pair",
    "code_order",
    "diagnosis_pair",
    "date_validity",
    "billable",
    "opps_status",
    "sequencing",
    "best_code",
    "is_code_for",
    "passages",
)


# Intents the router reads from explicit words ("check this claim", "covered", "POS", "7th
# character", "MCC", "code first", "excludes"): their builders answer, not a handler.
ROUTER_FIRST = frozenset(
    {"claim_check", "coverage", "place_of_service", "seventh_character", "severity", "icd_notes",
     "excludes"}
)  # fmt: skip


# The handlers that may still take a router-first intent: a coverage question naming a
# procedure and a diagnosis is the NCD spreadsheet's.
ROUTER_FIRST_EXCEPT = {
    "coverage": frozenset({"coverage"}),
    # "Which MS-DRG for principal X with secondary Y": a grouping, not a CC/MCC look-up.
    "severity": frozenset({"ms_drg"}),
    # Notes asked about between named codes: their order, or whether both may be reported.
    "icd_notes": frozenset({"code_order", "diagnosis_pair"}),
}


@cache
def handlers() -> tuple[Handler, ...]:
    found = []
    for name in MODULES:
        module = importlib.import_module(f"medcode.assistant.handlers.{name}")
        found.append(module.HANDLER)
    return tuple(found)


def pick(question: Question) -> Handler | None:
    """The handler that fits the question best, or None to leave it to the router."""
    if question.intent in {"empty", "off_topic"} and not question.codes:
        return None
    allowed = ROUTER_FIRST_EXCEPT.get(question.intent)
    if question.intent in ROUTER_FIRST and allowed is None:
        return None
    best: tuple[float, int, Handler] | None = None
    for rank, handler in enumerate(handlers()):
        if allowed is not None and handler.name not in allowed:
            continue
        score = handler.score(question)
        if score > 0 and (best is None or (score, -rank) > (best[0], -best[1])):
            best = (score, rank, handler)
    return best[2] if best else None


def by_name(name: str) -> Handler | None:
    return next((h for h in handlers() if h.name == name), None)

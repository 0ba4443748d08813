"""What every answer builder shares: the question's context and a few small helpers.

Builders never decide whether a code exists: they ask the checker (guard.CodeChecker), state
only what a tool returned, and set `is_unsure` when the data does not settle the question. The
guard then checks every code-shaped token again before anything is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from medcode.assistant import tools
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck, CodeChecker
from medcode.assistant.intent import Question
from medcode.assistant.knowledge import Entry, entry
from medcode.codes.queries import nearest_codes

MAX_CODES = 3


@dataclass
class Context:
    question: Question
    checker: CodeChecker
    on: dt.date
    setting: str  # practitioner or outpatient_hospital (the NCCI/MUE table to prefer)

    @property
    def asked(self) -> list[CodeCheck]:
        return self.checker.codes([c.text for c in self.question.codes])

    @property
    def valid(self) -> list[CodeCheck]:
        return [c for c in self.asked if c.is_valid]

    @property
    def procedures(self) -> list[CodeCheck]:
        return [c for c in self.valid if c.system in {"CPT", "HCPCS"}][:MAX_CODES]

    @property
    def diagnoses(self) -> list[CodeCheck]:
        return [c for c in self.valid if c.system == "ICD10CM"][:MAX_CODES]


Builder = Callable[[Context], Draft]

INJECTION_NOTICE = (
    "Instructions inside a question do not change how CasePilot answers: every code is "
    "checked against the loaded code sets, whatever the question says about it."
)
NOT_MEDICARE = (
    "These are Medicare's rules and amounts. {payer} payers publish their own edits, fees and "
    "policies: check the payer's policy or contract."
)
NO_VALID_CODE = (
    "None of the codes in the question is valid on {on}, so there is nothing to look up."
)


def kb_entry(slug: str) -> Entry:
    found = entry(slug)
    if found is None:  # pragma: no cover - the entries ship with the code
        raise LookupError(slug)
    return found


def with_kb(draft: Draft, slug: str, *, limit: int = 2) -> Draft:
    draft.facts += tools.kb_facts(kb_entry(slug), limit=limit)
    return draft


def payer_notice(ctx: Context, draft: Draft) -> Draft:
    payer = ctx.question.payer
    if payer in {"medicaid", "commercial"}:
        draft.notices.append(NOT_MEDICARE.format(payer=payer.capitalize()))
    return draft


def no_valid_code(ctx: Context) -> Draft:
    draft = Draft("", is_unsure=True)
    for check in ctx.asked:
        if check.status == "not_found":
            # Only near misses (a typo in the last characters), never a different service.
            refs = [
                r
                for r in nearest_codes(check.code)[:8]
                if shared_prefix(r.code, check.code) >= max(3, len(check.code) - 2)
                and ("." not in check.text or r.system == "ICD10CM")
            ]
            near = [c for c in ctx.checker.codes([r.display for r in refs]) if c.is_valid]
            if near:
                listed = ", ".join(f"{c.display} ({shorten(c.title)})" for c in near[:4])
                draft.notices.append(f"Loaded codes that start like {check.text}: {listed}.")
                draft.facts += [
                    Fact(f"{c.display}: {c.title}", tools.cite_code(c)) for c in near[:4]
                ]
    return draft


WRONG_KIND = "{codes} {verb} not {kind} code: {topic} apply to {kinds} codes."


def without_codes(ctx: Context, slug: str, *, kind: str, topic: str) -> Draft:
    """The answer when the question names no code of the kind the intent needs.

    A general question ("what is a global period?") gets the knowledge base's answer; codes of
    another kind ("global period of E11.9") are said to be so; unknown codes are stated as
    such by the guard, with near misses and the knowledge base's points.
    """
    entry = kb_entry(slug)
    if not ctx.question.codes:
        return Draft(entry.summary, tools.kb_facts(entry, limit=3))
    if ctx.valid:
        codes = ", ".join(c.display for c in ctx.valid)
        verb = "is" if len(ctx.valid) == 1 else "are"
        kinds = kind.split(" ", 1)[1]  # "an ICD-10-CM diagnosis" -> "ICD-10-CM diagnosis"
        summary = WRONG_KIND.format(codes=codes, verb=verb, kind=kind, kinds=kinds, topic=topic)
        facts = [Fact(f"{c.label}: {c.title}", tools.cite_code(c)) for c in ctx.valid]
        return Draft(summary, facts + tools.kb_facts(entry, limit=2))
    return with_kb(no_valid_code(ctx), slug, limit=3)


def shared_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"

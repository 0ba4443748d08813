"""A code's OPPS status indicator on a hospital outpatient claim (Addendum B)."""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Draft
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "99284 on the hospital emergency department claim - status indicator under OPPS 2026?",
    "Does OPPS recognize 99204 on a hospital outpatient claim? What's the SI?",
)


def score(question: Question) -> float:
    if len(question.procedure_codes) != 1:
        return 0.0
    if says(question.text, r"\brvu|\bpfs\b|physician fee schedule|\bmpfs\b"):
        return 0.0
    if says(question.text, r"status indicator|\bsi\b|\bopps\b|\bapc\b|addendum b"):
        return 2.2
    return 0.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    if not ctx.procedures:
        return procedures.code_lookup(ctx)
    check = ctx.procedures[0]
    page = tools.page_of(check, ctx.on)
    si = tools.panel_fact(page, "opps", tools.OPPS_SI)
    if si is None or not si.value:
        draft = Draft(
            f"The loaded OPPS Addendum B has no row for {check.display}: hospitals cannot be paid "
            "for it under OPPS as listed, or it is not in the loaded file.",
            is_unsure=True,
        )
        return draft
    meaning = si.meaning.rstrip(".")
    summary = f"Under OPPS, {check.display} has status indicator {si.value}: {meaning}."
    if si.value == "B":
        summary += (
            " The hospital is not paid for it under OPPS: it is not recognized on those bills."
        )
    facts = []
    for label in (tools.OPPS_SI, tools.OPPS_RATE):
        fact = tools.fact_from_panel(check, page, "opps", label)
        if fact is not None:
            facts.append(fact)
    return Draft(summary, facts)


HANDLER = Handler("opps_status", score, build, EXAMPLES)

"""Is a procedure covered for these diagnoses: what the NCD coding spreadsheet in force on the
date says of each diagnosis (medcode.claims.coverage.coverage_for, the claim check's own
reading), cited with the spreadsheet release. When no NCD of the spreadsheet lists the
procedure, the answer says so and adds the general coverage answer (LCDs are the MAC's)."""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question
from medcode.claims.releases import Setting

EXAMPLES = (
    "Is 82947 covered by Medicare for E11.9?",
    "Lipid panel 80061 with Z00.00 - does the NCD cover it?",
)
COVERAGE = (
    r"\bcover(ed|age|s)?\b(?! letters?\b)|\bncds?\b|medical(ly)? necess|\bdenied\b|\bpayable\b"
)


def score(question: Question) -> float:
    diagnoses = [c for c in question.diagnosis_codes if not c.is_procedure]
    if not question.procedure_codes or not diagnoses:
        return 0.0
    return 3.0 if says(question.text, COVERAGE) else 0.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures
    from medcode.claims.coverage import coverage_for

    procs = [c for c in ctx.procedures if c.system in {"CPT", "HCPCS"}]
    diagnoses = ctx.diagnoses
    if not procs or not diagnoses:
        return procedures.coverage(ctx)
    proc = procs[0]
    setting: Setting = (
        "outpatient_hospital" if ctx.setting == "outpatient_hospital" else "practitioner"
    )
    found = coverage_for(proc.code, [d.code for d in diagnoses], ctx.on, setting=setting)
    if not found.verdicts:
        draft = procedures.coverage(ctx)
        draft.summary = (
            f"No NCD in the {found.source} lists {proc.display}, so no NCD decides this. "
            + draft.summary
        )
        return draft
    shown = {d.code: d.display for d in diagnoses}
    sentences = []
    facts = [Fact(f"{proc.display}: {proc.title}", tools.cite_code(proc))]
    for verdict in found.verdicts:
        dx = shown.get(verdict.diagnosis, verdict.diagnosis)
        how = (
            "listed"
            if verdict.is_listed
            else "not listed, so the NCD's row for all other codes decides"
        )
        sentences.append(
            f"with {dx}, {verdict.resolution_text} under NCD {verdict.ncd} "
            f"({verdict.title}; the diagnosis is {how})"
        )
        facts.append(
            Fact(
                f"NCD {verdict.ncd} ({verdict.title}): {proc.display} with {dx}: "
                f"{verdict.resolution_text}.",
                Citation(f"NCD {verdict.ncd}: {verdict.title}", proc.url, found.source),
            )
        )
    verdict_text = {True: "Yes", False: "No", None: ""}[found.is_covered]
    summary = (
        f"{verdict_text + ': ' if verdict_text else ''}{proc.display} "
        + "; ".join(sentences)
        + ". Medicare pays the line when a diagnosis on it is one the NCD covers; local "
        "coverage determinations (LCDs, each contractor's) are not checked in this answer."
    )
    return Draft(summary, facts)


HANDLER = Handler("coverage", score, build, EXAMPLES)

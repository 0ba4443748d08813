"""One builder per intent: the tools' facts turned into a short answer and cited facts.

The builders live by subject (procedures.py, diagnoses.py, guidance.py); `build` picks the
one for the question's intent and adds the prompt-injection notice when it applies.
"""

from __future__ import annotations

from medcode.assistant import diagnoses, guidance, procedures
from medcode.assistant.context import INJECTION_NOTICE, Builder, Context
from medcode.assistant.facts import Draft

__all__ = ["BUILDERS", "INJECTION_NOTICE", "Context", "build"]

BUILDERS: dict[str, Builder] = {
    "empty": guidance.empty,
    "off_topic": guidance.off_topic,
    "code_lookup": procedures.code_lookup,
    "ptp_pair": procedures.ptp_pair,
    "global_period": procedures.global_period,
    "mue": procedures.mue,
    "addon": procedures.addon,
    "payment": procedures.payment,
    "find_code": procedures.find_code,
    "excludes": diagnoses.excludes,
    "icd_notes": diagnoses.icd_notes,
    "modifier": guidance.modifier,
    "em_guidelines": guidance.em_guidelines,
    "coverage": lambda ctx: _coverage(ctx),
    "place_of_service": guidance.place_of_service,
    "seventh_character": diagnoses.seventh_character,
    "severity": diagnoses.severity,
    "indicator": guidance.indicator,
    "claim_check": procedures.claim_check,
    "knowledge": guidance.knowledge,
}


def _coverage(ctx: Context) -> Draft:
    """Coverage questions: the NCD spreadsheet's verdicts when a procedure and diagnoses are
    named, else the general coverage answer (medcode.assistant.handlers.ncd_coverage)."""
    from medcode.assistant.handlers import ncd_coverage

    return ncd_coverage.build(ctx)


def build(ctx: Context) -> Draft:
    from medcode.assistant import handlers

    builder = BUILDERS.get(ctx.question.intent)
    if builder is None:
        handler = handlers.by_name(ctx.question.intent)
        builder = handler.build if handler is not None else BUILDERS["knowledge"]
    draft = builder(ctx)
    if ctx.question.is_injection:
        draft.notices.insert(0, INJECTION_NOTICE)
    return draft

"""Two diagnosis codes asked about together: the Excludes1 / Excludes2 notes of each (own and
inherited from its category), read both ways."""

from __future__ import annotations

from medcode.assistant.context import Context
from medcode.assistant.facts import Draft
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "Can F10.10 and F10.20 both be reported?",
    "Sore throat J02.9 with tonsillitis J03.90 on the same encounter - any excludes conflict?",
    "hives + angioedema, l509 and t783xxa togther ok??",
    "Hypothyroidism after thyroidectomy: do I add E03.9 alongside E89.0?",
)


def score(question: Question) -> float:
    diagnoses = [c for c in question.codes if c.is_diagnosis and not c.is_procedure]
    if len(diagnoses) < 2 or question.procedure_codes:
        return 0.0
    if says(question.text, r"\bm?cc\b|7th|seventh|\bsequenc|which (one )?(goes |comes |is )?first"):
        return 0.0
    if says(question.text, r"instead|replace|combination"):
        return 0.0
    return 2.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import diagnoses

    return diagnoses.excludes(ctx)


HANDLER = Handler("diagnosis_pair", score, build, EXAMPLES)

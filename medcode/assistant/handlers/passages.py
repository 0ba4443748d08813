"""A how-to or why question no rule answers: the cited passages of the code pages the search
finds (their editorial sections), never a code title alone."""

from __future__ import annotations

from medcode.assistant.context import Context
from medcode.assistant.facts import Draft
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.best_code import ASKS_FOR_CODE
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "How is a spinal cord stimulator trial documented?",
    "Why would a neurostimulator lead placement be denied?",
)
HOW_OR_WHY = r"^\s*(how|why|when|where)\b"


def score(question: Question) -> float:
    if question.codes or question.intent not in {"find_code", "knowledge"}:
        return 0.0
    if not says(question.text, HOW_OR_WHY) or says(question.text, ASKS_FOR_CODE):
        return 0.0
    return 0.5


def build(ctx: Context) -> Draft:
    from medcode.assistant import guidance

    draft = guidance.knowledge(ctx)
    return draft if draft.summary else guidance.retrieved(ctx)


HANDLER = Handler("passages", score, build, EXAMPLES)

"""JW or JZ on a drug line: the two drug-waste modifiers, read from the loaded Level II modifier
list. JW's descriptor is "drug amount discarded/not administered to any patient" and JZ's "zero
drug amount discarded/not administered to any patient", so the answer follows what the question
says was discarded: nothing -> JZ, an amount -> JW for that amount. Online pages written before
JZ existed (the modifier list dates it 2023-01-01) still answer JW for both."""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "Single-dose vial, the whole dose was given and nothing was thrown away. JW or JZ?",
    "Which drug-waste modifier goes on the line when 20 mg of a 100 mg single-dose vial is "
    "discarded?",
)
WASTE = r"\bj[wz]\b|wast(e|ed|age)|discard|thrown (away|out)|left ?over|unused"
DRUG = r"vial|drug|dose|j-?code|\bj\d{4}\b|injection|infusion|container"
NOTHING = (
    r"nothing|none\b|no (waste|wastage|drug|amount)|zero|whole (vial|dose|amount)|"
    r"entire (vial|dose|amount)|all of (it|the)|fully (given|administered)|not any"
)


def score(question: Question) -> float:
    if not (says(question.text, WASTE) and says(question.text, DRUG)):
        return 0.0
    if says(question.text, r"\bunits?\b|how many") and not says(question.text, r"\bj[wz]\b"):
        return 0.0
    return 3.5


def build(ctx: Context) -> Draft:
    jw, jz = ctx.checker.modifier("JW"), ctx.checker.modifier("JZ")
    if not jw.is_valid or not jz.is_valid:
        from medcode.assistant import guidance

        return guidance.partial(ctx, Draft("", is_unsure=True))
    facts = [
        Fact(f"Modifier JW: {jw.title}.", tools.cite_code(jw)),
        Fact(f"Modifier JZ: {jz.title}.", tools.cite_code(jz)),
    ]
    discarded = (
        r"\d[\d.,]*\s*(mg|mcg|units?|ml)\b[^.?]{0,40}(discard|wast|thrown)|"
        r"(discard|wast|thrown)[^.?]{0,30}\d[\d.,]*\s*(mg|mcg|units?|ml)\b"
    )
    if says(ctx.question.text, discarded) and not says(ctx.question.text, NOTHING):
        summary = (
            f"JW, for the amount discarded: JW is “{jw.title}”. JZ "
            f"(“{jz.title}”) is only for a line where nothing was discarded."
        )
    elif says(ctx.question.text, NOTHING):
        # Only JZ is named: the other modifier is the common wrong answer.
        summary = (
            "JZ: nothing was discarded, and JZ is the modifier for a zero amount discarded "
            f"(\u201c{jz.title}\u201d)."
        )
        facts = facts[1:]
    else:
        summary = (
            f"JW reports the amount discarded (\u201c{jw.title}\u201d); when nothing is "
            f"discarded, the modifier is JZ (\u201c{jz.title}\u201d). Which one applies "
            "depends on whether any of the drug was discarded."
        )
    return Draft(summary, facts)


HANDLER = Handler("drug_waste", score, build, EXAMPLES)

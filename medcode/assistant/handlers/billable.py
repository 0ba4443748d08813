"""Is this ICD-10-CM code billable (complete), or does it need more characters?"""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context, shorten
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "is n3281 billabel or do i need more digits",
    "Is M17 enough for knee osteoarthritis on the claim?",
    "Does F33.0 need a 5th character before I bill it?",
)
BILLABLE = (
    r"billab|billabel|enough|specific|more (digits|characters)|\d(st|nd|rd|th) character|"
    r"as-is|as is|by itself|hipaa|valid (for|on) (a |the )?claim|on (a|the) claim|submit|"
    r"can (i|we) (bill|use|put|report)|go out on|complete code|header|category"
)


def score(question: Question) -> float:
    diagnoses = [c for c in question.codes if c.is_diagnosis]
    if len(question.codes) != 1 or not diagnoses or question.dates:
        return 0.0
    if says(question.text, r"\bm?cc\b|7th|seventh|excludes|code first|sequenc|\bpay"):
        return 0.0
    return 1.7 if says(question.text, BILLABLE) else 0.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    checks = [c for c in ctx.diagnoses]
    if not checks:
        return procedures.code_lookup(ctx)
    check = checks[0]
    facts = [Fact(f"{check.display}: {check.title}", tools.cite_code(check))]
    if check.is_billable:
        summary = (
            f"Yes: {check.display} ({shorten(check.title)}) is billable: a complete, valid "
            f"code for claims as it is ({check.release}); it needs no more characters."
        )
        return Draft(summary, facts)
    page = tools.page_of(check, ctx.on)
    children = tools.children_of(page)
    listed = ", ".join(f"{c} ({shorten(t, 50)})" for c, t in children[:8])
    summary = (
        f"No: {check.display} ({shorten(check.title)}) is not billable: it is a heading "
        "(category or subcategory) and needs more characters."
        + (f" Report the code below it that the record supports: {listed}." if listed else "")
    )
    return Draft(summary, facts)


HANDLER = Handler("billable", score, build, EXAMPLES)

""" "Is X the code for Y?": yes or no from X's own title against the words of Y, and when no,
the code whose title fits Y best (the same ranking as a code-from-description answer)."""

from __future__ import annotations

import re

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.best_code import rank_score, words_of
from medcode.assistant.intent import Question

EXAMPLES = (
    "Is C1768 the rechargeable generator?",
    "Is E11.9 the code for type 2 diabetes with CKD?",
    "Does L8687 describe a rechargeable generator?",
)
ASKS = re.compile(
    r"\bis\s+(?P<code>[A-Za-z0-9.]{3,8})\s+(?:the|a|an)\s+(?:right |correct |proper )?"
    r"(?:code\s+(?:for|to use for)\s+)?(?P<what>[^?]{3,120})|"
    r"\bdoes\s+(?P<code2>[A-Za-z0-9.]{3,8})\s+(?:describe|mean|cover|represent)\s+(?:an?\s+|the\s+)?"
    r"(?P<what2>[^?]{3,120})",
    re.I,
)
NOT_DESCRIPTIONS = re.compile(
    r"^(valid|billable|add-?on|primary|column|cc|mcc|covered|payable|separately|active|"
    r"deleted|allowed|same|complete|reportable|specific|full|finished|right code\??$)",
    re.I,
)


def described(question: Question) -> str:
    match = ASKS.search(question.text)
    if match is None or len(question.codes) != 1:
        return ""
    code = (match.group("code") or match.group("code2") or "").upper().replace(".", "")
    what = (match.group("what") or match.group("what2") or "").strip()
    if code != question.codes[0].code or NOT_DESCRIPTIONS.search(what):
        return ""
    return what if len(words_of(what)) >= 1 else ""


def score(question: Question) -> float:
    return 2.4 if described(question) else 0.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    what = described(ctx.question)
    if not ctx.valid or not what:
        return procedures.code_lookup(ctx)
    check = ctx.valid[0]
    asked = set(words_of(what))
    title = set(words_of(check.title))
    facts = [Fact(f"{check.display}: {check.title}", tools.cite_code(check))]
    if asked and len(asked & title) / len(asked) >= 0.6:
        return Draft(f"Yes: {check.display} is {check.title}.", facts)
    found, _ = tools.search_codes(
        " ".join(w for w in asked if not w.startswith("no-")),
        ctx.on,
        systems=[check.system],
        limit=15,
    )
    found = [c for c in found if c.is_billable and c.code.replace(".", "") != check.code]
    summary = f"No: {check.display} is {check.title}, not {what}."
    if found:
        best = max(
            enumerate(found), key=lambda item: rank_score(asked, item[1].title, item[0], False)
        )[1]
        better = [c for c in ctx.checker.codes([best.display]) if c.is_valid]
        if better and asked & set(words_of(best.title)):
            summary += f" For {what}, the code is {better[0].display} ({better[0].title})."
            facts.append(
                Fact(f"{better[0].display}: {better[0].title}", tools.cite_code(better[0]))
            )
    return Draft(summary, facts)


HANDLER = Handler("is_code_for", score, build, EXAMPLES)

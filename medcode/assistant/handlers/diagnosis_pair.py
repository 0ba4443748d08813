"""Two diagnosis codes asked about together: the Excludes1 / Excludes2 notes of each (own and
inherited from its category), read both ways."""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.best_code import words_of
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "Can F10.10 and F10.20 both be reported?",
    "Sore throat J02.9 with tonsillitis J03.90 on the same encounter - ok to code both?",
    "hives + angioedema, l509 and t783xxa togther ok??",
    "Hypothyroidism after thyroidectomy: do I add E03.9 alongside E89.0?",
)


def score(question: Question) -> float:
    diagnoses = [c for c in question.codes if c.is_diagnosis and not c.is_procedure]
    if len(diagnoses) < 2 or question.procedure_codes:
        return 0.0
    if says(question.text, r"\bm?cc\b|7th|seventh|\bsequenc|which (one )?(goes |comes |is )?first"):
        return 0.0
    return 2.0


def combination(ctx: Context, a: CodeCheck, b: CodeCheck) -> CodeCheck | None:
    """A code beside both whose title holds the words of both (acute + chronic -> "acute on
    chronic"): ICD-10-CM reports a combination code instead of the two (guideline I.B.9)."""
    wanted = set(words_of(a.title)) | set(words_of(b.title))
    page = tools.page_of(a, ctx.on)
    for group in page.related if page is not None else ():
        if group.key != "siblings":
            continue
        for code in group.codes:
            if code.code.replace(".", "") in {a.code, b.code}:
                continue
            if wanted <= set(words_of(code.title)):
                found = ctx.checker.codes([code.code])
                if found and found[0].is_valid and found[0].is_billable:
                    return found[0]
    return in_category(ctx, a, b) or in_category(ctx, b, a)


# Title words that qualify a code rather than name a condition.
QUALIFYING = frozenset({"unspecified", "other", "specified", "nos", "elsewhere", "classified"})


def in_category(ctx: Context, a: CodeCheck, b: CodeCheck) -> CodeCheck | None:
    """A code of a's category whose title names a's condition and b's ("E11.9" + "R73.9
    hyperglycemia" -> E11.65 "Type 2 diabetes mellitus with hyperglycemia")."""
    own = {w for w in words_of(a.title) if not w.startswith("no-")} - QUALIFYING
    other = {w for w in words_of(b.title) if not w.startswith("no-")} - QUALIFYING
    # Each code must bring a condition of its own, and the combination nothing else.
    if not own - other or not other - own or a.code[:3] == b.code[:3]:
        return None
    wanted = own | other
    results, _ = tools.search_codes(" ".join(sorted(wanted)), ctx.on, systems=["ICD10CM"], limit=20)
    for result in results:
        code = result.code.replace(".", "")
        if not result.is_billable or code[:3] != a.code[:3] or code in {a.code, b.code}:
            continue
        if set(words_of(result.title)) == wanted:
            found = ctx.checker.codes([result.display])
            if found and found[0].is_valid:
                return found[0]
    return None


def build(ctx: Context) -> Draft:
    from medcode.assistant import diagnoses

    codes = ctx.diagnoses
    if len(codes) >= 2:
        both = combination(ctx, codes[0], codes[1])
        if both is not None:
            summary = (
                f"No: report the combination code {both.display} ({both.title}) instead of "
                f"{codes[0].display} and {codes[1].display} together: when one code describes "
                "both conditions, ICD-10-CM uses that combination code alone (guideline I.B.9)."
            )
            facts = [
                Fact(f"{c.display}: {c.title}", tools.cite_code(c)) for c in (both, *codes[:2])
            ]
            return Draft(summary, facts)
    return diagnoses.excludes(ctx)


HANDLER = Handler("diagnosis_pair", score, build, EXAMPLES)

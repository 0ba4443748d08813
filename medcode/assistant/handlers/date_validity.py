"""Is this code valid on that date of service? The code sets in force on the date say; when it
is not, the answer names what to report instead (the more specific codes of a code that became
a heading, or the code in force then)."""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context, shorten
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler, drug_units
from medcode.assistant.handlers.best_code import rank_score, words_of
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "Milk allergy status Z91.011 on a May 2026 claim - ok?",
    "Can J1171 be used for hydromorphone given on 06/10/2024?",
    "DOS Feb 6 2025: could familial hypercholesterolemia be billed as E78.01 on that date?",
)
VALIDITY = (
    r"\bvalid|\bok\b|okay|accept|still|billed|\bbill\b|report|\buse[d]?\b|allowed|active|"
    r"deleted|terminated|effective|on that date|for (a |the )?(dos|date)|\bgo(es)? on\b|"
    r"\bput on\b|\bon (a|an|the|that|this) .{0,20}\bclaim\b"
)


def score(question: Question) -> float:
    if not question.dates or len(question.codes) != 1:
        return 0.0
    if says(
        question.text,
        r"how many units|\bmue\b|modifier|global|\bpay(s|ment)?\b|\brvu|\bfee\b|status indicator|"
        r"\bsi\b|\badd-?on\b|which primar",
    ):
        return 0.0
    return 1.8 if says(question.text, VALIDITY) else 0.0


def replacements(ctx: Context, check: CodeCheck) -> list[CodeCheck]:
    """Codes valid on the date that a coder would report instead of `check`: for ICD-10-CM the
    billable parent (G35.A -> G35), else the closest title in the same code set."""
    if check.system == "HCPCS" and (
        check.title.lower().startswith("injection")
        or drug_units.descriptor_amount(check.title) is not None
    ):
        drugs = drug_units.same_drug(ctx, check)
        if drugs:
            return drugs[:1]
    if check.system == "ICD10CM":
        parents = [check.code[:size] for size in range(len(check.code) - 1, 2, -1)]
        valid = [c for c in ctx.checker.codes(parents) if c.is_valid and c.is_billable]
        if valid:
            return valid[:1]
    key = [w for w in words_of(check.title) if w not in COMMON and not w[0].isdigit()]
    if not key:
        return []
    results, _ = tools.search_codes(" ".join(key[:4]), None, systems=[check.system], limit=12)
    wanted = [r.display for r in results if r.code.replace(".", "") != check.code]
    checks = [
        c
        for c in ctx.checker.codes(wanted)
        if c.is_valid and c.is_billable is not False and set(key[:2]) & set(words_of(c.title))
    ]
    asked = set(words_of(check.title))
    ranked = sorted(
        checks,
        key=lambda c: -rank_score(asked, c.title, wanted.index(c.text), unspecified=False),
    )
    return ranked[:1]


def billable_below(ctx: Context, check: CodeCheck) -> list[tuple[str, str]]:
    """The billable codes under a heading in the release that governs the date, the ones
    sharing most words with the question first: (code as printed, title)."""
    from medcode.assistant.guard import governing_release
    from medcode.codes.models import Code

    release = governing_release(check.system, check.code, ctx.on)
    if release is None:
        return []
    rows = list(
        Code.objects.filter(release_id=release.pk, code__startswith=check.code, is_billable=True)
        .exclude(code=check.code)
        .order_by("code")
        .values_list("display", "long_description", "short_description")[:60]
    )
    asked = set(words_of(ctx.question.text)) - set(words_of(check.title))
    ranked = sorted(
        ((display, long or short) for display, long, short in rows),
        key=lambda row: -len(asked & set(words_of(row[1]))),
    )
    return ranked


def fits_question(ctx: Context, children: list[tuple[str, str]]) -> bool:
    """Whether the first of `children` matches the question better than the second."""
    asked = set(words_of(ctx.question.text))
    first = len(asked & set(words_of(children[0][1])))
    second = len(asked & set(words_of(children[1][1]))) if len(children) > 1 else 0
    return first > second


# Words too common in titles to say which service a code is.
COMMON = frozenset(
    ["injection", "mg", "mcg", "unit", "units", "up", "to", "per", "each", "type", "any", "other"]
)


def build(ctx: Context) -> Draft:
    check = ctx.asked[0] if ctx.asked else None
    on = ctx.on.isoformat()
    if check is None or check.status == "not_found":
        from medcode.assistant.context import no_valid_code

        return no_valid_code(ctx)
    facts = [Fact(f"{check.display}: {check.title}", tools.cite_code(check))]
    if check.status == "valid" and check.is_billable is not False:
        summary = (
            f"Yes: {check.display} ({shorten(check.title)}) is valid on {on} and can be billed "
            f"for that date of service ({check.release})."
        )
        return Draft(summary, facts)
    if check.status == "valid":
        children = billable_below(ctx, check)
        listed = ", ".join(f"{c} ({shorten(t, 50)})" for c, t in children[:8])
        best = children[0] if children and fits_question(ctx, children) else None
        summary = (
            f"No: {check.display} is not valid for a claim on {on}: in {check.release} it is a "
            "heading that needs more characters, not a billable code."
            + (f" For what the question describes: {best[0]} ({best[1]})." if best else "")
            + (f" The billable codes below it: {listed}." if listed else "")
        )
        return Draft(summary, facts)
    instead = replacements(ctx, check)
    listed = ", ".join(f"{c.display} ({shorten(c.title, 60)})" for c in instead)
    summary = f"So {check.display} cannot be billed for a {on} date of service." + (
        f" The code to report for that date: {listed}." if listed else ""
    )
    facts += [Fact(f"{c.display}: {c.title}", tools.cite_code(c)) for c in instead]
    return Draft(summary, facts)


HANDLER = Handler("date_validity", score, build, EXAMPLES)

"""Named diagnosis codes and their order: which goes first, and what other code their tabular
notes ask for. The "code first" and "use additional code" notes (own and inherited) decide;
where they do not name each other, the answer says the notes leave the order open."""

from __future__ import annotations

from medcode.assistant import tools
from medcode.assistant.context import Context, no_valid_code, shorten
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.handlers.sequencing import (
    NOTE_TITLES,
    Chosen,
    must_precede,
    named_in,
    names,
    notes_of,
    order,
)
from medcode.assistant.intent import Question

EXAMPLES = (
    "Pick's disease with dementia, G31.01 and F02.80: which one is listed first?",
    "Diabetic cataract: E11.36 and H28 - sequence?",
    "Coding N18.4 - does the tabular tell me to add another code, and in what order?",
)
ORDER = (
    r"\bsequenc|\border\b|\b(goes|comes|go|come|listed|list|coded|code|reported|put|billed) "
    r"first\b|\bwhich (one |code |is |goes |comes )?first\b|\bfirst[- ]listed\b|"
    r"\badditional code\b|\buse additional\b|\bcode first\b|\bcode also\b|\balso code\b|"
    r"\bwhat else\b|\btabular (tells|says|asks|wants|requires)\b|\bnotes? (asks?|tells?|says?|"
    r"requires?|wants?)\b"
)
ASKS_ANOTHER = (
    r"\bsequenc|\border\b|\bfirst\b|\bwhat else\b|\banother code\b|\b(add|need|tells? me)\b|"
    r"\btabular (tells|says|asks|wants|requires)\b|\bnotes? (asks?|tells?|wants?|requires?)\b"
)
NOT_ORDER = (
    r"modifier|\bunits?\b|\bpay|\bmue\b|global|\bdrg\b|\bm?cc\b|7th|seventh|excludes|"
    r"\bvalid\b|\bbillable\b"
)


def score(question: Question) -> float:
    codes = question.codes
    if not codes or question.procedure_codes or question.modifiers:
        return 0.0
    if not all(c.is_diagnosis for c in codes):
        return 0.0
    if says(question.text, NOT_ORDER) or not says(question.text, ORDER):
        return 0.0
    # One code and only a note's name ("What use additional code notes apply to A01.00?"):
    # the router lists the notes.
    if len(codes) == 1 and not says(question.text, ASKS_ANOTHER):
        return 0.0
    return 2.5


def _kept(checks: list[CodeCheck]) -> list[CodeCheck]:
    """The complete codes asked about: a category named beside one of its codes ("C34.11 ...
    the C34 note") is where a note comes from, not a code to report."""
    complete = [c for c in checks if c.is_billable]
    return [
        c for c in complete if not any(o is not c and o.code.startswith(c.code) for o in complete)
    ]


def build(ctx: Context) -> Draft:
    checks = _kept(ctx.diagnoses)
    if not checks:
        return no_valid_code(ctx)
    chosen: list[Chosen] = []
    facts: list[Fact] = []
    for check in checks:
        item = Chosen(check, "", set())
        item.notes, cite = notes_of(ctx, check)
        chosen.append(item)
        facts.append(Fact(f"{check.display}: {check.title}", tools.cite_code(check)))
        if cite is not None:
            facts.append(cite)
    if len(chosen) == 1:
        return _one(ctx, chosen[0], facts)
    draft = _several(chosen, facts)
    if not draft.summary.startswith("Report"):
        # No note orders them: an Excludes1 between them is the answer that matters.
        from medcode.assistant import diagnoses

        pair = diagnoses.excludes(ctx)
        if "carries an Excludes1" in pair.summary:
            return pair
    return draft


def _several(chosen: list[Chosen], facts: list[Fact]) -> Draft:
    ordered = order(chosen)
    reasons = []
    for a in ordered:
        for b in ordered:
            if a is b or not must_precede(b, a):
                continue
            note = _deciding_note(b, a)
            if note:
                reasons.append(note)
    if reasons:
        first, rest = ordered[0], ordered[1:]
        summary = (
            f"Report {first.check.display} first ({shorten(first.check.title, 70)}), then "
            + ", then ".join(f"{c.check.display} ({shorten(c.check.title, 70)})" for c in rest)
            + ". The tabular notes decide: "
            + " ".join(reasons)
        )
    else:
        names = " and ".join(c.check.display for c in chosen)
        summary = (
            f"The tabular notes of {names} (their own and their categories') do not name each "
            "other by code in a code-first or use-additional-code note, so they do not fix the "
            "order: list first the condition chiefly responsible for the encounter (for an "
            "inpatient stay, the principal diagnosis), as the record shows."
        )
        # A "code first" note that names a condition rather than codes still says which first.
        for c in chosen:
            others = " or ".join(o.check.display for o in chosen if o is not c)
            for title, text, origin in c.notes:
                if NOTE_TITLES[title] == "before":
                    where = f" (from {origin})" if origin else ""
                    summary += (
                        f" {c.check.display}'s note{where} says \u201ccode first: {text}\u201d: "
                        f"when {others} codes that condition, it goes before {c.check.display}."
                    )
    return Draft(summary, facts)


def _deciding_note(b: Chosen, a: Chosen) -> str:
    """The note that puts b before a, quoted with where it comes from."""
    for title, text, origin in a.notes:
        if NOTE_TITLES[title] == "before" and names(text, b.check.code):
            where = f" (from {origin})" if origin else ""
            return f"{a.check.display}'s note{where} says \u201ccode first: {text}\u201d."
    for title, text, origin in b.notes:
        if NOTE_TITLES[title] == "after" and names(text, a.check.code):
            where = f" (from {origin})" if origin else ""
            return f"{b.check.display}'s note{where} says \u201c{title}: {text}\u201d."
    return ""


def _one(ctx: Context, item: Chosen, facts: list[Fact]) -> Draft:
    check = item.check
    if not item.notes:
        summary = (
            f"{check.display} ({shorten(check.title, 80)}) has no code-first, use-additional-code "
            "or code-also note, of its own or from its category, in the loaded release: the "
            "tabular asks for no other code here."
        )
        return Draft(summary, facts)
    # The notes file holds one note in pieces ("code to identify:", then each item): one
    # sentence per kind of note and level it comes from.
    grouped: dict[tuple[str, str], list[str]] = {}
    for title, text, origin in item.notes:
        grouped.setdefault((title, origin), []).append(text.strip())
    parts = []
    for (title, origin), texts in grouped.items():
        text = " ".join(texts)
        where = f" (from {origin})" if origin else ""
        listed = [c.display for c in named_in(ctx, text)][:8]
        codes = (
            f" Codes it names: {', '.join(listed)}; pick the one the record supports."
            if listed
            else ""
        )
        if title == "code first":
            then = f"Report the underlying condition's code first, then {check.display}."
        elif title == "use additional code":
            then = f"Report {check.display} first, then the additional code."
        else:
            then = "Both are coded; the note does not fix the order."
        parts.append(f"A \u201c{title}\u201d note{where}: \u201c{text}\u201d. {then}{codes}")
    summary = f"{check.display} ({shorten(check.title, 80)}): " + " ".join(parts)
    return Draft(summary, facts)


HANDLER = Handler("code_order", score, build, EXAMPLES)

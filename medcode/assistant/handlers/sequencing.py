"""Which codes, in which order, for a description with several conditions: the combination
code that covers most of it, then the codes its tabular notes ask for ("use additional code",
"code first"), then a code for what is still not covered, ordered by those notes.

Every code comes from the code search and the loaded ICD-10-CM tabular notes; the order follows
the notes (a code's "code first" note puts the named code before it; "use additional code" puts
it after). When the notes do not decide the order, the answer says the first code is the one
that covers most of the description and that the record decides the rest.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field

from medcode.assistant import tools
from medcode.assistant.context import Context, shorten
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.best_code import rank_score, words_of
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question
from medcode.rules.diagnoses import extract_code_patterns

EXAMPLES = (
    "Type 2 diabetic with CKD stage 3a due to the diabetes. Which codes, and in what order?",
    "Hypertension with chronic systolic heart failure, no kidney disease. Codes in which order?",
    "Severe sepsis with septic shock, organism unknown. What codes and which first?",
)
SEQUENCE = (
    r"\bsequenc|\bin (what|which) order\b|\border\b\s*\?|\bcodes? (in|and) (what )?order|"
    r"\b(goes|comes|go|come|listed|list) first\b|\bwhich (one |code )?first\b|\bwhat first\b|"
    r"\bone code or two\b|\bwhich codes\b|\bwhat codes\b|\bcodes and\b|\bhow do i code\b.*\band\b"
)
# Words of the question that say how it is asked, not what the patient has.
ASKING = frozenset(
    {
        "order", "sequence", "sequenced", "sequencing", "first", "second", "goes", "go",
        "come", "comes", "one", "two", "code", "codes", "which", "what", "how", "due",
        "documented", "linked", "link", "provider", "also", "both", "plus", "patient",
        "has", "have", "listed", "list", "in", "and", "do", "i", "we", "report",
    }
)  # fmt: skip
NOTE_TITLES = {"use additional code": "after", "code first": "before", "code also": "after"}
MAX_CODES = 4


def score(question: Question) -> float:
    if question.codes or question.modifiers:
        return 0.0
    if says(question.text, r"modifier|\bunits?\b|\bpay|\bmue\b|global|\bcpt\b|hcpcs|\bdrg\b"):
        return 0.0
    if says(question.text, SEQUENCE):
        return 2.0
    # "How do I code it?" about a description naming several conditions.
    if says(question.text, r"how (do|should|would) (i|we|you) code") and says(
        description(question.text), r",|;|\band\b|\bwith\b|\bplus\b"
    ):
        return 1.6
    return 0.0


def description(text: str) -> str:
    """The question without the sentences that only ask ("Which codes, and in what order?")."""
    parts = [p for p in re.split(r"(?<=[.?!])\s+|\s+-\s+", text) if p.strip()]
    kept = [p for p in parts if not says(p, SEQUENCE + r"|how (do|should|would) (i|we|you) code")]
    return " ".join(kept) if kept else text


@dataclass
class Chosen:
    check: CodeCheck
    reason: str
    words: set[str]
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (title, text, from)
    linked: bool = False


def content_words(text: str) -> set[str]:
    return {w for w in words_of(text) if w not in ASKING}


# Words of a tabular note that say how to code, not what the patient has.
NOTE_FILLER = frozenset(
    {
        "code", "identify", "type", "stage", "specific", "applicable", "if", "any",
        "associated", "such", "as", "additional", "use", "known", "underlying", "condition",
        "infectious", "agent", "site", "symptoms", "specified", "when", "to", "the", "of",
        "for",
    }
)  # fmt: skip


def notes_of(ctx: Context, check: CodeCheck) -> tuple[list[tuple[str, str, str]], Fact | None]:
    page = tools.page_of(check, ctx.on)
    panel = tools.panel(page, "icd10cm_notes")
    if panel is None:
        return [], None
    found = [
        (group.title.lower(), item.text, item.inherited_from)
        for group in panel.groups
        if group.title.lower() in NOTE_TITLES
        for item in group.items
    ]
    cite = Fact(f"{check.display} tabular notes", tools.cite_panel(check, panel))
    return found, cite


def first_score(asked: set[str], title: str, position: int) -> float:
    """How well a title covers the description: letters count fully, numbers half ("type 1"
    must not pull in "stage 1"); an "Other ..." title only when the question says other."""
    value = rank_score(asked, title, position, False)
    numbers = {w for w in asked & set(words_of(title)) if w[:1].isdigit()}
    value -= 0.5 * len(numbers)
    if title.lower().startswith("other ") and "other" not in asked:
        value -= 0.5
    return value


# Title words that state a value (severity, acuity, side, encounter): a title naming one the
# question does not is a guess.
VALUE_WORDS = frozenset(
    {
        "mild", "moderate", "severe", "acute", "chronic", "early", "late", "left", "right",
        "bilateral", "initial", "subsequent", "sequela", "recurrent", "single",
    }
)  # fmt: skip


def note_score(asked: set[str], title: str, position: int) -> float:
    """A code named by a note against the question: word fit, with "unspecified" neutral and a
    value word the question does not state counted against it."""
    value = rank_score(asked, title, position, False)
    if "unspecified" in title.lower():
        value += 0.3
    value -= 0.5 * len((set(words_of(title)) & VALUE_WORDS) - asked)
    return value


def named_in(ctx: Context, text: str) -> list[tools.Candidate]:
    """The complete codes a note names ("(F02.80, F02.A0)"), valid and billable on the date."""
    tokens = re.findall(r"\b([A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4})\b(?!-)", text)
    return [
        tools.Candidate(c.system, c.code, c.display, c.title, c.url, True)
        for c in ctx.checker.codes(tokens)
        if c.is_valid and c.is_billable and c.system == "ICD10CM"
    ]


# The searches of one answer: the plans compared share most of their queries.
_searches: contextvars.ContextVar[dict[str, list[tools.Candidate]] | None] = contextvars.ContextVar(
    "sequencing_searches", default=None
)


def search_text(ctx: Context, query: str) -> list[tools.Candidate]:
    memo = _searches.get()
    key = f"{ctx.on.isoformat()} {query}"
    if memo is not None and key in memo:
        return memo[key]
    results, _ = tools.search_codes(query, ctx.on, systems=["ICD10CM"], limit=25)
    found = [c for c in results if c.is_billable]
    if memo is not None:
        memo[key] = found
    return found


def search(ctx: Context, words: set[str]) -> list[tools.Candidate]:
    query = " ".join(sorted(w for w in words if not w.startswith("no-")))
    return search_text(ctx, query) if query else []


def build(ctx: Context) -> Draft:
    token = _searches.set({})
    try:
        return _build(ctx)
    finally:
        _searches.reset(token)


def _build(ctx: Context) -> Draft:
    from medcode.assistant.handlers import best_code

    asked = content_words(description(ctx.question.text))
    plain = {w for w in asked if not w.startswith("no-")}
    found = search(ctx, asked)
    if not plain or not found:
        return best_code.build(ctx)
    ranked = sorted(
        ((first_score(asked, c.title, i), c) for i, c in enumerate(found)), key=lambda p: -p[0]
    )
    # Plans for the few first codes close to the best one (each plan costs searches).
    firsts = [(i, c) for i, (value, c) in enumerate(ranked[:3]) if value >= ranked[0][0] - 1.5]
    best: tuple[float, list[Chosen], list[Fact]] | None = None
    for rank, (_, candidate) in enumerate(firsts):
        chosen, facts = plan(ctx, candidate, asked)
        covered = set().union(*(c.words for c in chosen)) & plain
        value = len(covered) + 0.5 * sum(c.linked for c in chosen) - 0.75 * len(chosen) - 0.1 * rank
        if chosen and (best is None or value > best[0]):
            best = (value, chosen, facts)
    if best is None:
        return best_code.build(ctx)
    return draft_for(ctx, order(best[1]), best[2])


def plan(ctx: Context, first: tools.Candidate, asked: set[str]) -> tuple[list[Chosen], list[Fact]]:
    """The codes for the description when `first` is its main code: the codes its notes (and
    theirs) ask for that the question names, then one for what is still not covered."""
    chosen: list[Chosen] = []
    facts: list[Fact] = []

    def add(candidate: tools.Candidate, reason: str, linked: bool) -> None:
        checks = [c for c in ctx.checker.codes([candidate.display]) if c.is_valid]
        if not checks or any(c.check.code == checks[0].code for c in chosen):
            return
        if len(chosen) >= MAX_CODES:
            return
        item = Chosen(checks[0], reason, set(words_of(candidate.title)), linked=linked)
        item.notes, cite = notes_of(ctx, checks[0])
        if cite is not None:
            facts.append(cite)
        chosen.append(item)

    add(first, "it covers most of the description", False)
    index = 0
    while index < len(chosen) and len(chosen) < MAX_CODES:
        item = chosen[index]
        index += 1
        # Each note's best code, then added best first; coverage and categories are checked
        # again as each is added, so that a note's alternatives (N18's "code first: diabetic
        # CKD (E08.22, ..., E13.22)") add nothing once one is in.
        picks: list[tuple[float, tools.Candidate, str, set[str], bool]] = []
        for title, text, _origin in item.notes:
            patterns = extract_code_patterns(text)
            note_words = content_words(re.sub(r"\(.*?\)", " ", text)) - NOTE_FILLER
            if not patterns or not asked & note_words:
                continue
            covered = set().union(*(c.words for c in chosen))
            additional = NOTE_TITLES[title] == "after" and title != "code also"
            named = named_in(ctx, text)
            listed = "".join(re.findall(r"\((.*?)\)", text))
            explicit = bool(named) and "-" not in listed
            if not explicit and not additional and not (asked - covered) & note_words:
                continue  # a "code first" range the question does not describe: no search
            best: tuple[float, tools.Candidate] | None = None
            # The note's own wording ("without behavioral disturbance") finds its codes.
            query = (
                re.sub(r"\(.*?\)|[,:;]", " ", text)
                + " "
                + " ".join(
                    sorted(w for w in asked - covered if not w.startswith(("no-", "stage=")))
                )
            )
            # A note listing only complete codes ("(R35.0)") needs no search.
            found = named if explicit else named + search_text(ctx, query)
            for position, candidate in enumerate(found):
                if not any(p.matches(candidate.code.replace(".", "")) for p in patterns):
                    continue
                joined = candidate.title + " " + " ".join(note_words)
                value = note_score(asked, joined, position)
                if best is None or value > best[0]:
                    best = (value, candidate)
            if best is not None:
                quoted = only_named(text, [best[1].display])
                note = f"{item.check.display}'s tabular note \u201c{title}: {quoted}\u201d"
                picks.append((best[0], best[1], note, note_words, additional))
        for _, candidate, note, note_words, additional in sorted(picks, key=lambda p: -p[0]):
            covered = set().union(*(c.words for c in chosen))
            words = set(words_of(candidate.title)) | note_words
            new = {w for w in (asked - covered) & words if w[:1].isalpha() and "=" not in w}
            # A "use additional code" note applies when the question names its condition;
            # "code first" and "code also" notes list possibilities, so the code must add
            # something the question says.
            applies = new or (additional and len(asked & note_words) >= 2)
            same_category = any(c.check.code[:3] == candidate.code[:3] for c in chosen)
            if len(asked & words) < 2 or not applies or same_category:
                continue
            if contradicts(asked, words):
                continue
            add(candidate, note, True)
    covered = set().union(*(c.words for c in chosen))
    left = {w for w in asked - covered if not w.startswith("no-")} - QUALIFIERS
    if left and len(chosen) < MAX_CODES:
        results = [r for r in search(ctx, left) if not contradicts(asked, set(words_of(r.title)))]
        if results:
            scored = max(
                enumerate(results), key=lambda item: first_score(asked, item[1].title, item[0])
            )[1]
            if len(left & set(words_of(scored.title))) >= min(2, len(left)):
                add(scored, "it codes what the first code does not cover", False)
    return chosen, facts


# Words that qualify what is documented rather than name a condition to code.
QUALIFIERS = frozenset(
    {
        "unknown", "unspecified", "stated", "severity", "culture", "grew", "organism",
        "provider", "did", "link", "them", "not", "documented", "note", "severe",
    }
)  # fmt: skip


def contradicts(asked: set[str], words: set[str]) -> bool:
    """A title naming what the question negates ("no kidney disease" vs "kidney")."""
    return any(
        f"no-{w}" in asked and f"no-{w}" not in words
        for w in words
        if not w.startswith("no-") and w not in GENERIC
    )


GENERIC = frozenset({"disease", "disorder", "condition", "syndrome", "other", "unspecified"})


def order(chosen: list[Chosen]) -> list[Chosen]:
    """The notes decide: a "code first" note of B naming A puts A first; a "use additional
    code" note of A naming B puts B after A. Otherwise the chosen order stays."""
    result = list(chosen)
    for _ in range(len(result)):
        moved = False
        for i, a in enumerate(result):
            for b in result[i + 1 :]:
                if must_precede(b, a):
                    result.remove(b)
                    result.insert(result.index(a), b)
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    return result


def must_precede(b: Chosen, a: Chosen) -> bool:
    """Whether b goes before a by one of their notes."""
    for title, text, _ in a.notes:
        if NOTE_TITLES[title] == "before" and names(text, b.check.code):
            return True
    for title, text, _ in b.notes:
        if NOTE_TITLES[title] == "after" and title != "code also" and names(text, a.check.code):
            return True
    return False


def only_named(text: str, codes: list[str]) -> str:
    """A note quoted with its code list cut to the codes of this answer ("diabetic chronic
    kidney disease (E10.22, ...)"): the other codes it lists are not this patient's."""

    def cut(match: re.Match[str]) -> str:
        listed = match.group(1)
        patterns = extract_code_patterns(f"({listed})")
        kept = [c for c in codes if any(p.matches(c.replace(".", "")) for p in patterns)]
        if not kept:
            return match.group(0)
        more = len(re.findall(r"[A-Z]\d", listed)) > len(kept)
        return f"({', '.join(kept)}{', ...' if more else ''})"

    return re.sub(r"\(([^()]*[A-Z]\d[^()]*)\)", cut, text)


def names(text: str, code: str) -> bool:
    return any(p.matches(code) for p in extract_code_patterns(text))


def draft_for(ctx: Context, ordered: list[Chosen], facts: list[Fact]) -> Draft:
    if len(ordered) == 1:
        only = ordered[0].check
        summary = (
            f"{only.display} ({only.title}) codes this: its title covers the description, and "
            "no tabular note of it asks for another code the question names. Check that the "
            "record supports every element of the title."
        )
        return Draft(summary, [Fact(f"{only.display}: {only.title}", tools.cite_code(only))])
    steps = "; ".join(
        f"{n}. {c.check.display} ({shorten(c.check.title, 90)})" for n, c in enumerate(ordered, 1)
    )
    reasons = [
        f"{c.check.display} is there because {c.reason}."
        for c in ordered
        if not c.reason.startswith("it covers")
    ]
    decided = any(must_precede(b, a) for a in ordered for b in ordered if a is not b)
    summary = (
        f"Report {len(ordered)} codes, in this order: {steps}. "
        + " ".join(reasons)
        + (
            " The order follows the tabular notes."
            if decided
            else " The tabular notes do not fix the order here: the first code is the one "
            "that covers most of the description; sequence by the reason for the encounter."
        )
    )
    out = [Fact(f"{c.check.display}: {c.check.title}", tools.cite_code(c.check)) for c in ordered]
    for c in ordered:
        for title, text, origin in c.notes:
            if any(names(text, o.check.code) for o in ordered if o is not c):
                out.append(
                    Fact(
                        f"{c.check.display} {title}: "
                        + only_named(text, [o.check.display for o in ordered if o is not c])
                        + (f" (from {origin})" if origin else ""),
                        next(
                            (f.citation for f in facts if f.text.startswith(c.check.display)),
                            tools.cite_code(c.check),
                        ),
                    )
                )
    return Draft(summary, out)


HANDLER = Handler("sequencing", score, build, EXAMPLES)

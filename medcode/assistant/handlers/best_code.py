"""Which code fits a description: the one best billable code, and why (its title's words
against the question's), never a list of near-miss siblings."""

from __future__ import annotations

import functools
import re

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question, named_systems
from medcode.rules.diagnoses import extract_code_patterns
from medcode.search.ranking import unasked_quality

EXAMPLES = (
    "Nephrology note documents CKD stage 3b. Correct ICD-10-CM code?",
    "Patient needs a quad cane. What HCPCS should the DME supplier bill?",
    "Dx code for a plain cough, nothing more specific documented?",
)
ASKS_FOR_CODE = (
    r"which (\w+ ){0,3}code|what (\w+ ){0,3}code|code (for|to use)|\bcodes? (is|are) (used )?for|"
    r"icd-?10(-cm)?( code)?\s*(for|please|\?|:)|hcpcs (for|code)|correct (\w+ )?code|"
    r"dx code|diagnosis code|how (do|should|would) (i|we|you) code|\b[a-z]-code\b|"
    r"\b(which|what)\b[^?]{0,40}\b(hcpcs|icd|cpt|dx|g-?code|j-?code|a-?code|e-?code)\b|"
    r"(hcpcs|icd-?10(-cm)?|cpt)\s*(please|\?|$)|code it|coded as"
)
# Shorthand coders write, with the words of the official titles.
ABBREVIATIONS = {
    "ckd": "chronic kidney disease", "dm": "diabetes mellitus", "t2dm": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus", "htn": "hypertension", "chf": "heart failure",
    "copd": "chronic obstructive pulmonary disease", "bph": "benign prostatic hyperplasia",
    "dka": "ketoacidosis", "mi": "myocardial infarction", "uti": "urinary tract infection",
    "gerd": "gastro-esophageal reflux disease", "osa": "obstructive sleep apnea",
    "afib": "atrial fibrillation", "cad": "coronary artery disease", "dvt": "deep vein thrombosis",
    "pe": "pulmonary embolism", "esrd": "end stage renal disease", "als": "advanced life support",
    "bls": "basic life support", "hx": "history", "fx": "fracture", "sob": "shortness of breath",
    "tia": "transient ischemic attack", "cva": "cerebral infarction", "mdd": "major depressive",
    "ptsd": "post-traumatic stress disorder", "adhd": "attention-deficit hyperactivity",
    "nstemi": "non-st elevation myocardial infarction",
    "stemi": "st elevation myocardial infarction",
    "one on one": "individual", "long covid": "post covid-19 condition",
    "mrsa": "methicillin resistant staphylococcus aureus",
    "mssa": "methicillin susceptible staphylococcus aureus", "e. coli": "escherichia coli",
    "e coli": "escherichia coli",
    "dme": "", "ed": "", "er": "",
}  # fmt: skip
SYNONYMS = {
    "hypertensive": "hypertension", "diabetic": "diabetes", "comatose": "coma",
    "enlarged": "hyperplasia", "yearly": "annual", "one-on-one": "individual",
    "first-ever": "single", "first": "single", "renal": "kidney", "kidneys": "kidney",
    "polyps": "polyp", "exam": "examination", "exams": "examination", "renting": "rental",
    "rent": "rental", "rented": "rental", "gas": "gaseous", "instead": "substitute",
    "hemodialysis": "dialysis",
}  # fmt: skip
NEGATIONS = frozenset({"not", "no", "without", "non", "isn't", "wasn't", "never"})
UNSPECIFIED = (
    r"unspecified|not documented|isn't documented|nothing more|not specified|plain|\bnos\b|unknown"
)
FILLER = frozenset(
    [
        "which",
        "what",
        "code",
        "codes",
        "icd",
        "icd-10",
        "icd-10-cm",
        "cm",
        "hcpcs",
        "cpt",
        "level",
        "correct",
        "please",
        "the",
        "for",
        "and",
        "with",
        "that",
        "this",
        "does",
        "should",
        "bill",
        "billed",
        "supplier",
        "report",
        "reports",
        "patient",
        "patients",
        "documented",
        "documents",
        "note",
        "dx",
        "diagnosis",
        "a",
        "an",
        "of",
        "is",
        "are",
        "to",
        "in",
        "on",
        "it",
        "its",
        "use",
        "used",
        "medicare",
        "provider",
        "doctor",
        "coder",
        "coding",
        "we",
        "our",
        "you",
        "need",
        "needs",
        "like",
        "given",
        "takes",
    ]
)


def score(question: Question) -> float:
    # A refinement of the router's code search: never a question about an indicator's or a
    # modifier's meaning, or a guideline.
    if question.codes or question.modifiers:
        return 0.0
    if question.intent not in {"find_code", "knowledge", "coverage"}:
        return 0.0
    if says(question.text, r"modifier|\bunits?\b|\bpay|\bmue\b|global"):
        return 0.0
    if says(question.text, ASKS_FOR_CODE):
        return 1.5
    # A bare description ("Type 2 DM with CKD stage 3"), not a how-to question.
    if question.intent == "find_code" and not says(question.text, HOW_TO):
        return 1.0
    return 0.0


HOW_TO = r"^\s*(how|why|when|where|should|do|does|can|is|are|what)\b|\?\s*$"


def stem(word: str) -> str:
    word = SYNONYMS.get(word, word)
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words_of(text: str) -> list[str]:
    """The content words of a question or a title, stemmed; the words a negation governs
    (up to the next comma, "with" or "and") marked "no-": "without coma" -> "no-coma"."""
    return list(_words_of(text))


_ABBREVIATION = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)


@functools.lru_cache(maxsize=8192)
def _words_of(text: str) -> tuple[str, ...]:
    text = text.lower().replace("-", " ")
    # The code system's name is not a word of the description ("ICD-10-CM": no "10").
    text = re.sub(r"\bicd\s*10(\s*(cm|pcs))?\b", " ", text)
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    # "stage 4" as one token too, so that "type 1 ... stage 4" does not match "stage 1".
    found: list[str] = [f"stage={n}" for n in re.findall(r"\bstage\s*(\d)", text)]
    negated = False
    for token in re.findall(r"[a-z0-9][a-z0-9']*|[,;.:()]", text):
        if token in NEGATIONS:
            negated = True
            continue
        if token in {",", ";", ".", ":", "(", ")", "with", "and", "but"}:
            negated = False
            continue
        if token in FILLER:
            continue
        word = stem(token)
        found.append(f"no-{word}" if negated else word)
    return tuple(found)


def systems_for(question: Question) -> list[str]:
    named = [s for s in named_systems(question.text) if s in {"ICD10CM", "HCPCS", "ICD10PCS"}]
    if named:
        return named[:1]
    if says(
        question.text,
        r"\b[a-v]-code|\bdme\b|supplier|ambulance|\bwalker|\bcane\b|wheelchair|"
        r"medicare (screening|annual)|\bg-?code",
    ):
        return ["HCPCS"]
    return ["ICD10CM", "HCPCS"]


def stage_fit(asked: set[str], title: str) -> float:
    """A stage the question names against a title's stages: "stage 3b" fits "stage 1 through
    stage 4" (+1.5) and not "stage 5" (-1.5)."""
    if "stage" not in asked:
        return 0.0
    numbers = {int(w[6]) for w in asked if w.startswith("stage=")} or {
        int(m.group(1)) for w in asked if (m := re.match(r"^(\d)[a-z]?$", w))
    }
    if not numbers:
        return 0.0
    low = title.lower()
    ranges = [(int(a), int(b)) for a, b in re.findall(r"stage (\d) through (?:stage )?(\d)", low)]
    if any(a <= n <= b for a, b in ranges for n in numbers):
        return 0.5
    single = {int(x) for x in re.findall(r"stage (\d)\b", low)}
    if single and not ranges:
        return 0.5 if single & numbers else -1.5
    if ranges and not any(a <= n <= b for a, b in ranges for n in numbers):
        return -1.5
    return 0.0


def rank_score(asked: set[str], title: str, position: int, unspecified: bool) -> float:
    title_words = set(words_of(title))
    overlap = len(asked & title_words)
    extra = len(title_words - asked)
    value = overlap - 0.25 * extra + 0.3 / (position + 1) + stage_fit(asked, title)
    if "unspecified" in title.lower():
        value += 1.0 if unspecified else -0.3
    return value


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    question = ctx.question
    asked_words = words_of(question.text)
    asked = set(asked_words)
    query = " ".join(dict.fromkeys(w for w in asked_words if not w.startswith("no-")))
    found: list[tools.Candidate] = []
    systems = systems_for(question)
    results, _ = tools.search_codes(query, ctx.on, systems=systems, limit=15 * len(systems))
    found += results
    found = [c for c in found if c.is_billable]
    plain = [w for w in asked if not w.startswith("no-")]
    best_overlap = max((len(asked & set(words_of(c.title))) for c in found), default=0)
    if best_overlap < len(plain) and question.words:
        # The stemmed words missed: ask the search with the question's own words too.
        results, _ = tools.search_codes(
            question.words, ctx.on, systems=systems, limit=15 * len(systems)
        )
        found += [c for c in results if c.is_billable and c not in found]
    if not found:
        return procedures.find_code(ctx)
    unspecified = says(question.text, UNSPECIFIED)
    # One ranking everywhere (issue 15): a quality-reporting G/M code comes after every
    # plain service or condition unless the question asks for quality reporting.
    said = re.findall(r"[a-z]+", question.text.lower())
    scored = sorted(
        ((rank_score(asked, c.title, i, unspecified), c) for i, c in enumerate(found)),
        key=lambda item: (
            unasked_quality(item[1].system, item[1].code, item[1].title, said),
            -item[0],
        ),
    )
    best = scored[0][1]
    checks = [c for c in ctx.checker.codes([best.display]) if c.is_valid]
    if not checks:
        return procedures.find_code(ctx)
    check = checks[0]
    matched = [w for w in re.findall(r"[A-Za-z0-9']+", best.title) if set(words_of(w)) & asked]
    why = (
        f"its title names {', '.join(dict.fromkeys(m.lower() for m in matched[:10]))}"
        if matched
        else "it is the closest title"
    )
    summary = (
        f"{check.display} ({check.title}) is the code for this: {why}. Check that the record "
        "supports every element of the title before reporting it."
    )
    facts = [Fact(f"{check.display}: {check.title}", tools.cite_code(check))]
    if check.system == "ICD10CM":
        extra, notes = also_code(ctx, check, asked, set(words_of(best.title)))
        facts += notes
        if extra:
            summary += extra
    return Draft(summary, facts)


def also_code(
    ctx: Context, check: CodeCheck, asked: set[str], used: set[str]
) -> tuple[str, list[Fact]]:
    """The code's "use additional code" notes, and the code the rest of the question fits
    among the codes a note names (E11.22 + N18.3-: "stage 3" left over -> N18.30)."""
    page = tools.page_of(check, ctx.on)
    notes = tools.panel(page, "icd10cm_notes")
    if notes is None:
        return "", []
    facts: list[Fact] = []
    sentence = ""
    for group in notes.groups:
        if group.title.lower() not in {"use additional code", "code first", "code also"}:
            continue
        items = sorted(group.items, key=lambda i: bool(i.inherited_from))
        for n, item in enumerate(items):
            if n >= 3 and sentence:
                break
            facts.append(
                Fact(
                    f"{check.display} {group.title}: {item.text}"
                    + (f" (from {item.inherited_from})" if item.inherited_from else ""),
                    tools.cite_panel(check, notes),
                )
            )
            left = {w for w in asked - used if not w.startswith("no-")}
            patterns = extract_code_patterns(item.text)
            # Only a note about what is left over is searched ("stage" of CKD).
            if not left or not patterns or sentence or not left & set(words_of(item.text)):
                continue
            query = " ".join([*sorted(left), *words_of(re.sub(r"\(.*?\)", " ", item.text))])
            found, _ = tools.search_codes(query, ctx.on, systems=["ICD10CM"], limit=20)
            fits = [
                c
                for c in found
                if c.is_billable
                and any(p.matches(c.code.replace(".", "")) for p in patterns)
                and left & set(words_of(c.title))
            ]
            if fits:
                best = max(
                    enumerate(fits),
                    key=lambda i: rank_score(asked - used, i[1].title, i[0], False),
                )[1]
                sentence = (
                    f" Its tabular note says \u201c{group.title}\u201d ({item.text}): "
                    f"report {best.display} ({best.title}) with it"
                    + (" as the additional code." if group.title.lower() != "code first" else ".")
                )
    return sentence, facts


HANDLER = Handler("best_code", score, build, EXAMPLES)

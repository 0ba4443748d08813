"""A drug's HCPCS code and billing units for a dose: the code whose descriptor names the drug
and its amount ("per 1 mg", "up to 50 mg", "100,000 units"), and units = dose / that amount,
a partial unit rounded up (CMS: units are counted in the descriptor's dosage)."""

from __future__ import annotations

import math
import re

from medcode.assistant import tools
from medcode.assistant.context import Context, shorten
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Dose, Question

EXAMPLES = (
    "Zofran (ondansetron) 4 mg IV in the office - HCPCS code and units?",
    "Ativan (lorazepam) 1 mg IV - J2060 is per 2 mg, so how many units?",
    "Heparin 5,000 units subcutaneous - what HCPCS and how many billing units?",
    "phenergan 12.5mg im how many units, j code?",
)
# Brand names coders write for common office and hospital drugs, with the generic name the
# HCPCS descriptors use (public prescribing information).
BRANDS = {
    "zofran": "ondansetron", "ativan": "lorazepam", "lovenox": "enoxaparin",
    "bicillin": "penicillin g benzathine", "venofer": "iron sucrose", "phenergan": "promethazine",
    "dilaudid": "hydromorphone", "narcan": "naloxone", "toradol": "ketorolac",
    "decadron": "dexamethasone", "rocephin": "ceftriaxone", "solu-medrol": "methylprednisolone",
    "solumedrol": "methylprednisolone", "depo-medrol": "methylprednisolone acetate",
    "kenalog": "triamcinolone", "benadryl": "diphenhydramine", "pepcid": "famotidine",
    "reglan": "metoclopramide", "lasix": "furosemide", "demerol": "meperidine",
    "versed": "midazolam", "ancef": "cefazolin", "zithromax": "azithromycin",
    "prolia": "denosumab", "xgeva": "denosumab", "neulasta": "pegfilgrastim",
    "neupogen": "filgrastim", "keytruda": "pembrolizumab", "remicade": "infliximab",
    "aranesp": "darbepoetin", "procrit": "epoetin", "epogen": "epoetin",
    "depo-provera": "medroxyprogesterone", "xolair": "omalizumab", "botox": "onabotulinumtoxina",
    "lupron": "leuprolide", "eligard": "leuprolide", "depo-testosterone": "testosterone cypionate",
    "solu-cortef": "hydrocortisone", "vistaril": "hydroxyzine", "haldol": "haloperidol",
    "geodon": "ziprasidone", "cogentin": "benztropine", "compazine": "prochlorperazine",
    "sublimaze": "fentanyl", "infed": "iron dextran", "feraheme": "ferumoxytol",
    "injectafer": "ferric carboxymaltose", "vitamin b12": "cyanocobalamin", "b12": "cyanocobalamin",
    "tylenol": "acetaminophen", "ofirmev": "acetaminophen", "zosyn": "piperacillin",
    "unasyn": "ampicillin sodium/sulbactam", "cleocin": "clindamycin", "flagyl": "metronidazole",
    "protonix": "pantoprazole", "adenocard": "adenosine", "cardizem": "diltiazem",
    "lopressor": "metoprolol", "amiodarone": "amiodarone", "epipen": "epinephrine",
}  # fmt: skip
FILLER = frozenset(
    [
        "what",
        "which",
        "how",
        "many",
        "units",
        "unit",
        "billing",
        "billable",
        "bill",
        "code",
        "codes",
        "hcpcs",
        "j-code",
        "jcode",
        "given",
        "iv",
        "im",
        "sq",
        "subq",
        "subcut",
        "subcutaneous",
        "push",
        "infusion",
        "injection",
        "injected",
        "office",
        "clinic",
        "hospital",
        "outpatient",
        "claim",
        "patient",
        "and",
        "the",
        "for",
        "with",
        "in",
        "of",
        "a",
        "an",
        "is",
        "do",
        "we",
        "report",
        "pre-op",
        "preop",
        "intravenous",
        "intramuscular",
        "into",
        "mg",
        "mcg",
        "gram",
        "grams",
        "ml",
        "dose",
        "should",
        "on",
        "at",
        "to",
        "it",
        "per",
        "million",
        "emergency",
        "department",
        "ed",
        "dos",
        "syphilis",
        "report",
        "over",
        "minutes",
        "min",
    ]
)
AMOUNT = re.compile(
    r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(million units|mcg|micrograms?|mg|gm|grams?|g|"
    r"units?|iu|ml|cc|meq)\b",
    re.I,
)
TO_BASE = {
    "mcg": ("mg", 0.001),
    "mg": ("mg", 1.0),
    "g": ("mg", 1000.0),
    "units": ("units", 1.0),
    "ml": ("ml", 1.0),
    "meq": ("meq", 1.0),
}
UNIT_NAMES = {
    "micrograms": "mcg", "microgram": "mcg", "gm": "g", "gram": "g", "grams": "g",
    "unit": "units", "iu": "units", "cc": "ml",
}  # fmt: skip


def score(question: Question) -> float:
    if not question.doses:
        return 0.0
    drug_dose = any(
        d.unit in {"mg", "mcg", "g", "ml", "meq"} or d.amount >= 100 for d in question.doses
    )
    if not drug_dose and not any(c.code.startswith("J") for c in question.codes):
        return 0.0
    asks_validity = says(question.text, r"\bvalid|\baccepted\b|\bstill\b")
    if asks_validity and not says(question.text, r"\bunits?\b|how many"):
        return 0.0
    # "J0171 ... on an 08/01/2025 claim. Valid?": the named code's validity is the question.
    if asks_validity and question.dates and question.codes and not says(question.text, r"how many"):
        return 0.0
    if says(question.text, r"\bunits?\b|\bcode\b|j-?code|hcpcs|which|bill"):
        return 3.0
    return 0.0


def descriptor_amount(title: str) -> tuple[float, str] | None:
    """The dosage a drug descriptor counts in: "per 1 mg" -> (1.0, "mg")."""
    found = AMOUNT.findall(title)
    if not found:
        return None
    number, unit = found[-1]
    amount = float(number.replace(",", ""))
    unit = UNIT_NAMES.get(unit.lower(), unit.lower())
    if unit == "million units":
        amount, unit = amount * 1_000_000, "units"
    return amount, unit


def units_for(dose: Dose, per: tuple[float, str]) -> int | None:
    a = TO_BASE.get(dose.unit)
    b = TO_BASE.get(per[1])
    if a is None or b is None or a[0] != b[0] or per[0] <= 0:
        return None
    ratio = dose.amount * a[1] / (per[0] * b[1])
    return max(1, math.ceil(ratio - 1e-9))


def drug_words(question: Question) -> list[str]:
    text = question.text.lower()
    generics = [g for brand, g in BRANDS.items() if re.search(rf"\b{re.escape(brand)}\b", text)]
    words = re.findall(r"[a-z][a-z-]{3,}", re.sub(r"\d[\d,.]*\s*\w+", " ", text))
    return generics + [w for w in words if w not in FILLER and w not in BRANDS]


def candidates(ctx: Context) -> list[CodeCheck]:
    named = [c for c in ctx.procedures if c.system == "HCPCS"]
    if named:
        return named[:1]
    words = drug_words(ctx.question)
    if not words:
        return []
    found: list[str] = []
    for query in (f"injection {words[0]}", " ".join(words[:3])):
        results, _ = tools.search_codes(query, None, systems=["HCPCS"], limit=12)
        found += [r.code for r in results]
    checks = [c for c in ctx.checker.codes(list(dict.fromkeys(found))) if c.is_valid]
    key = words[0].split()[0]
    return [c for c in checks if key in c.title.lower()]


def rank(check: CodeCheck, question: Question, dose: Dose) -> tuple[int, int, float]:
    per = descriptor_amount(check.title)
    fits = per is not None and units_for(dose, per) is not None
    title_words = set(re.findall(r"[a-z]{4,}", check.title.lower()))
    asked = set(re.findall(r"[a-z]{4,}", question.text.lower())) | set(drug_words(question))
    extra = len(title_words - asked - {"injection"})
    # "(zimhi)": a named product the question does not name is not the drug given.
    named = [w for w in re.findall(r"\(([a-z][a-z -]+)\)", check.title.lower()) if w not in asked]
    return (int(fits), int(check.code.startswith("J")), -extra - 3 * len(named))


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    dose = next(
        (d for d in ctx.question.doses if d.unit in {"mg", "mcg", "g", "ml", "meq"}),
        ctx.question.doses[0] if ctx.question.doses else None,
    )
    found = candidates(ctx)
    if dose is None or not found:
        draft = procedures.find_code(ctx)
        return draft
    best = max(found, key=lambda c: rank(c, ctx.question, dose))
    per = descriptor_amount(best.title)
    units = units_for(dose, per) if per is not None else None
    facts = [Fact(f"{best.display}: {best.title}", tools.cite_code(best))]
    if per is None or units is None:
        summary = (
            f"{best.display} ({shorten(best.title, 90)}) is the drug's code, but its descriptor "
            "gives no dosage in the unit of the dose, so the units cannot be counted here."
        )
        return Draft(summary, facts, is_unsure=True)
    amount = f"{dose.amount:,.10g} {dose.unit}"
    per_text = f"{per[0]:,.10g} {per[1]}"
    exact = dose.amount * TO_BASE[dose.unit][1] / (per[0] * TO_BASE[per[1]][1])
    rounding = "" if abs(exact - round(exact)) < 1e-9 else " (a partial unit rounds up)"
    summary = (
        f"Bill {best.display} ({shorten(best.title, 90)}) with {units} unit"
        f"{'s' if units != 1 else ''}: its descriptor counts in {per_text}, and "
        f"{amount} / {per_text} = {exact:,.4g}{rounding}."
    )
    draft = Draft(summary, facts)
    draft.facts.append(
        Fact(
            "Drug units are reported in multiples of the dosage in the HCPCS descriptor; when the "
            "dose is not a whole multiple, the units are rounded up to the next whole unit.",
            tools.cite_code(best),
        )
    )
    return draft


HANDLER = Handler("drug_units", score, build, EXAMPLES)

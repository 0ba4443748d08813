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
    "decadron": "dexamethasone", "rocephin": "ceftriaxone",
    "solu-medrol": "methylprednisolone sodium succinate",
    "solumedrol": "methylprednisolone sodium succinate",
    "depo-medrol": "methylprednisolone acetate", "kenalog": "triamcinolone acetonide",
    "humira": "adalimumab", "soliris": "eculizumab", "nplate": "romiplostim",
    "keppra": "levetiracetam", "benadryl": "diphenhydramine", "pepcid": "famotidine",
    "reglan": "metoclopramide", "lasix": "furosemide", "demerol": "meperidine",
    "versed": "midazolam", "ancef": "cefazolin", "zithromax": "azithromycin",
    "prolia": "denosumab", "xgeva": "denosumab", "neulasta": "pegfilgrastim",
    "neupogen": "filgrastim", "keytruda": "pembrolizumab", "remicade": "infliximab",
    "aranesp": "darbepoetin", "procrit": "epoetin", "epogen": "epoetin",
    "depo-provera": "medroxyprogesterone", "xolair": "omalizumab", "botox": "onabotulinumtoxina",
    "lupron": "leuprolide", "eligard": "leuprolide", "depo-testosterone": "testosterone cypionate",
    "solu-cortef": "hydrocortisone sodium succinate", "vistaril": "hydroxyzine",
    "haldol": "haloperidol",
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
    named_drug = any(c.code[:1] in {"J", "Q"} for c in question.codes)
    # A dose with a drug code and a date ("Lasix 40 mg on 08/04/2025. Still J1940 x2?"): the
    # coder wants the code in force on the date and its units; the code's validity is part of
    # the answer, not the whole of it.
    if named_drug and question.dates and drug_dose:
        return 3.0
    asks_validity = says(question.text, r"\bvalid|\baccepted\b|\bstill\b")
    if asks_validity and not says(question.text, r"\bunits?\b|how many"):
        return 0.0
    # "J0171 ... on an 08/01/2025 claim. Valid?": the named code's validity is the question.
    if asks_validity and question.dates and question.codes and not says(question.text, r"how many"):
        return 0.0
    if says(
        question.text,
        r"\bunits?\b|\bcode\b|j-?code|hcpcs|which|bill|\bright\b|correct|\bx\s?\d",
    ):
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


def brand_pattern(brand: str) -> str:
    """ "solu-cortef" also as "solu cortef" or "solucortef"."""
    return r"\b" + r"[\s-]?".join(re.escape(part) for part in brand.split("-")) + r"\b"


def drug_words(question: Question) -> list[str]:
    text = question.text.lower()
    generics = [g for brand, g in BRANDS.items() if re.search(brand_pattern(brand), text)]
    text = re.sub("|".join(brand_pattern(b) for b in BRANDS if "-" in b), " ", text)
    words = re.findall(r"[a-z][a-z-]{3,}", re.sub(r"\d[\d,.]*\s*\w+", " ", text))
    return generics + [w for w in words if w not in FILLER and w not in BRANDS]


def drug_name(title: str) -> list[str]:
    """The drug a HCPCS descriptor names, as words: "Injection, furosemide, up to 20 mg" ->
    ["furosemide"]; a product in brackets and the dosage are not part of it."""
    text = re.sub(r"\([^)]*\)", " ", title.lower())
    text = re.sub(r"^\s*injection,?\s*", "", text)
    head = text.split(",")[0]
    head = re.split(r"\bnot therapeutically\b|\d", head)[0]
    parts = [p for p in text.split(",") if p.strip()]
    named = [p for p in parts[1:] if not re.search(r"\d|otherwise|therapeutically|\bup to\b", p)]
    heads = [head, *named[:1]]
    words = re.findall(r"[a-z][a-z-]{2,}", " ".join(heads))
    return [w for w in words if w not in {"injection", "per", "and", "for", "the", "hcl"}]


# Salt and form words many drugs share: they do not name the drug.
SALTS = frozenset(
    {
        "sodium", "hydrochloride", "acetate", "phosphate", "sulfate", "succinate", "citrate",
        "potassium", "calcium", "extended-release", "liposome", "liposomal", "bromide",
        "tartrate", "mesylate", "maleate",
    }
)  # fmt: skip


def core(title: str) -> set[str]:
    return set(drug_name(title)) - SALTS


def products(title: str) -> set[str]:
    """The products a descriptor names in brackets: "(furoscix)"."""
    return {w.strip() for w in re.findall(r"\(([a-z][a-z -]+)\)", title.lower())}


def same_drug(ctx: Context, old: CodeCheck) -> list[CodeCheck]:
    """Codes valid on the date for the drug `old` names (the code that replaced a terminated
    one, or the one in force before a new one), best first for the dose asked."""
    name = [w for w in drug_name(old.title) if w not in SALTS]
    if not name:
        return []
    found: list[str] = []
    for query in (f"injection {' '.join(name)}", *name[:2]):
        results, _ = tools.search_codes(query, None, systems=["HCPCS"], limit=20)
        found += [r.code for r in results]
    checks = [
        c
        for c in ctx.checker.codes(list(dict.fromkeys(found)))
        if c.is_valid and c.code != old.code and core(c.title) & core(old.title)
    ]
    dose = dose_of(ctx.question)
    return sorted(checks, key=lambda c: replacement_rank(c, old, ctx.question, dose), reverse=True)


def replacement_rank(
    check: CodeCheck, old: CodeCheck, question: Question, dose: Dose | None
) -> tuple[int, int, int, float]:
    asked = set(re.findall(r"[a-z]{3,}", question.text.lower())) | products(old.title)
    foreign = len(products(check.title) - asked)
    brand_only = int("not therapeutically" in check.title.lower())
    same_words = len(set(drug_name(check.title)) & set(drug_name(old.title))) - len(
        set(drug_name(check.title)) ^ set(drug_name(old.title))
    )
    per = descriptor_amount(check.title)
    fit = 0.0
    if dose is not None and per is not None:
        units = units_for(dose, per)
        if units is not None:
            exact = dose.amount * TO_BASE[dose.unit][1] / (per[0] * TO_BASE[per[1]][1])
            # A whole number of units first, then the fewest units (40 mg: J1030 x1, not
            # J1020 x2).
            fit = (1.0 if abs(exact - round(exact)) < 1e-9 else 0.0) - units / 10_000
    return (-foreign - brand_only, same_words, int(fit >= 1.0), fit)


def dose_of(question: Question) -> Dose | None:
    return next(
        (d for d in question.doses if d.unit in {"mg", "mcg", "g", "ml", "meq"}),
        question.doses[0] if question.doses else None,
    )


def candidates(ctx: Context) -> list[CodeCheck]:
    named = [c for c in ctx.procedures if c.system == "HCPCS"]
    if named:
        return named[:1]
    stale = [c for c in ctx.asked if c.system == "HCPCS" and c.status == "not_valid_on_date"]
    if stale:
        return same_drug(ctx, stale[0])[:1]
    words = drug_words(ctx.question)
    # The drug is the first word that names one ("Humira (adalimumab)": adalimumab).
    for word in words[:4]:
        found: list[str] = []
        for query in (f"injection {word}", " ".join(words[:3])):
            results, _ = tools.search_codes(query, None, systems=["HCPCS"], limit=12)
            found += [r.code for r in results]
        checks = [c for c in ctx.checker.codes(list(dict.fromkeys(found))) if c.is_valid]
        key = word.split()[0]
        matching = [c for c in checks if key in c.title.lower()]
        if matching:
            return matching
    return []


# How a drug given by injection or infusion is asked, and descriptors of other routes.
PARENTERAL = r"\b(iv|im|ivp|ivpb|sq|subq|subcut\w*|inj\w*|infus\w*|intra\w+|push|shot)\b"
OTHER_ROUTE = r"\b(oral|inhalation|nasal|topical|ophthalmic|otic|rectal|vaginal)\b"
# Words of a descriptor that mark the default product, not an extra feature.
DEFAULT_WORDS = frozenset({"otherwise", "specified"})


def rank(check: CodeCheck, question: Question, dose: Dose) -> tuple[int, int, float]:
    per = descriptor_amount(check.title)
    fits = per is not None and units_for(dose, per) is not None
    title_words = set(re.findall(r"[a-z]{4,}", check.title.lower()))
    asked = set(re.findall(r"[a-z]{4,}", question.text.lower())) | {
        w for phrase in drug_words(question) for w in phrase.split()
    }
    extra = len(title_words - asked - {"injection"} - DEFAULT_WORDS)
    if says(question.text, PARENTERAL) and says(check.title, OTHER_ROUTE):
        extra += 5
    # "(zimhi)": a named product the question does not name is not the drug given.
    named = [w for w in re.findall(r"\(([a-z][a-z -]+)\)", check.title.lower()) if w not in asked]
    return (int(fits), int(check.code.startswith("J")), -extra - 3 * len(named))


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    dose = dose_of(ctx.question)
    found = candidates(ctx)
    stale = [c for c in ctx.asked if c.system == "HCPCS" and c.status == "not_valid_on_date"]
    before = ""
    if stale and found and found[0].code != stale[0].code:
        before = f"The code in force on {ctx.on.isoformat()} for this drug is {found[0].display}. "
    elif found and ctx.question.dates and found[0] in ctx.procedures:
        named = found[0]
        before = (
            f"Yes: {named.display} is valid on {ctx.on.isoformat()} ({named.detail.rstrip('.')}). "
        )
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
    summary = before + (
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

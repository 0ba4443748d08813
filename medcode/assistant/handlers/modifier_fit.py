"""May this modifier go on this procedure? The PFS indicators answer for 50, 51, 62, 66,
80/81/82/AS, 26 and TC (the RVU file's indicator for the code, and what it means)."""

from __future__ import annotations

from collections.abc import Callable

from medcode.assistant.context import Context, with_kb
from medcode.assistant.facts import Draft
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import fee_fact, main_fee, says
from medcode.assistant.intent import Question
from medcode.codes.page import meanings

EXAMPLES = (
    "What modifier for bilateral 64483?",
    "modifer 50 ok for 27096 both sides?? medicare",
    "Is modifier 62 payable on 33208 under the fee schedule?",
    "Our PA assisted on 28285. Can we bill the assist with modifier AS?",
    "The cardiologist provides only the interpretation. Do we append 26 to 93018?",
    "73562 on both sides for a Medicare patient: 50 or RT/LT, and how is it priced?",
)

# Paired body parts, done on both: "both upper extremities", "each arm", "left and right knee".
BOTH = (
    r"\b(both|each|left and right|right and left)( upper| lower)? (knees?|hips?|shoulders?|"
    r"ears?|eyes?|feet|foot|hands?|arms?|legs?|extremit(y|ies)|breasts?|wrists?|ankles?|"
    r"elbows?|kidneys?|lungs?|sides?)\b"
)

# Which PFS indicator a modifier (or the words for it) asks about.
WORDS = (
    ("bilateral", r"bilateral|both sides|" + BOTH + r"|\b50\b|\brt\b.{0,12}\blt\b"),
    ("assistant", r"assist|\b8[012]\b|\bas\b(?= modifier)|modifier as\b|\bAS\b"),
    ("cosurgeon", r"co-?surg|two surgeons|\b62\b"),
    ("team", r"team surg|\b66\b"),
    ("pctc", r"\b26\b|\btc\b|professional component|technical component|interpretation|"
     r"\bread(s|ing)?\b|\bowns? the equipment|global (billing|service)"),
    ("multiple", r"multiple (procedure|surgery)|\b51\b"),
)  # fmt: skip
MODIFIERS = {"50", "51", "62", "66", "80", "81", "82", "AS", "26", "TC", "RT", "LT"}


def asked_about(question: Question) -> str:
    text = question.text
    for key, pattern in WORDS:
        if key == "assistant" and not (
            says(text, r"assist|\b8[012]\b") or "AS" in question.modifiers
        ):
            continue
        if says(text, pattern):
            return key
    return ""


def score(question: Question) -> float:
    if len(question.procedure_codes) != 1 or (
        question.diagnosis_codes and not question.procedure_codes
    ):
        return 0.0
    # "Does Medicare pay the 150% bilateral rate?", "modifier 50 both sides, pays how much":
    # the bilateral indicator answers, even in payment words.
    if says(question.text, r"150\s*%|\bbilateral\b|both sides|" + BOTH):
        return 2.5
    if says(
        question.text,
        r"\bamount|how much|\bfee\b(?! schedule)|\bprice\b|\$|dollar|\brate\b|national",
    ):
        return 0.0
    named = set(question.modifiers) & MODIFIERS
    if named or asked_about(question):
        return 2.5
    return 0.0


def _bilateral(check: CodeCheck, value: str) -> str:
    code = check.display
    return {
        "0": f"No: the 150% bilateral adjustment does not apply to {code} (bilateral indicator "
        "0), so modifier 50 is not recognised for payment; done on both sides, payment is at most "
        "100% of the single-procedure amount.",
        "1": f"Yes: {code} has bilateral indicator 1, so report it once (one line, 1 unit) with "
        "modifier 50; Medicare pays 150% of the single-procedure amount.",
        "2": f"No 150% rule: {code} has bilateral indicator 2, its values already assume a "
        "bilateral procedure, so it is paid at most 100% of its fee whether reported for one side "
        "or both.",
        "3": f"No 150% rule: {code} has bilateral indicator 3, so done on both sides each side "
        "is paid at 100% of its fee schedule amount. Report both sides as your Medicare "
        "contractor asks: RT and LT (each side on its own line), or modifier 50.",
        "9": f"The bilateral concept does not apply to {code} (bilateral indicator 9): modifier 50 "
        "is not used.",
    }.get(value, "")


def _assistant(check: CodeCheck, value: str) -> str:
    code = check.display
    return {
        "0": f"Only with documentation: {code} has assistant-at-surgery indicator 0, so an "
        "assistant (80, 81, 82 or AS) is paid only when documentation shows medical necessity.",
        "1": f"No: {code} has assistant-at-surgery indicator 1, so an assistant at surgery (80, "
        "81, "
        "82 or AS) is not paid: a statutory payment restriction.",
        "2": f"Yes: {code} has assistant-at-surgery indicator 2, so an assistant at surgery (80, "
        "81 or 82; AS for a PA, NP or CNS) may be paid.",
        "9": f"The assistant-at-surgery concept does not apply to {code} (indicator 9).",
    }.get(value, "")


def _cosurgeon(check: CodeCheck, value: str) -> str:
    code = check.display
    return {
        "0": f"No: co-surgery is not permitted for {code} (co-surgeon indicator 0), so modifier 62 "
        "is not paid.",
        "1": f"Only with documentation: co-surgeons are permitted for {code} (co-surgeon "
        "indicator 1) when documentation supports the medical necessity of two surgeons; each "
        "reports 62.",
        "2": f"Yes: co-surgeons are permitted for {code} (co-surgeon indicator 2), so modifier 62 "
        "is "
        "payable (no documentation required); each surgeon reports 62 and each is paid 62.5% "
        "of the fee schedule amount.",
        "9": f"The co-surgeon concept does not apply to {code} (indicator 9).",
    }.get(value, "")


def _team(check: CodeCheck, value: str) -> str:
    code = check.display
    return {
        "0": f"No: team surgery (66) is not permitted for {code} (indicator 0).",
        "1": f"Only with documentation: team surgery (66) is permitted for {code} when "
        "documentation supports it (indicator 1).",
        "2": f"Yes: team surgery (66) is permitted for {code} (indicator 2).",
        "9": f"The team-surgery concept does not apply to {code} (indicator 9).",
    }.get(value, "")


def _pctc(check: CodeCheck, value: str) -> str:
    code = check.display
    return {
        "0": f"No: {code} has PC/TC indicator 0 (a physician service with no professional/"
        "technical split), so modifiers 26 and TC do not apply.",
        "1": f"Yes: {code} has PC/TC indicator 1 (professional and technical components): the "
        "physician who only interprets bills it with modifier 26 (professional component), the "
        "owner of the equipment with TC (technical component); one provider doing both bills it "
        "without a modifier (global).",
        "2": f"No modifier: {code} has PC/TC indicator 2, a professional-component-only code, so "
        "26 and TC do not apply; the interpreting physician bills it as is.",
        "3": f"No modifier: {code} has PC/TC indicator 3, a technical-component-only code, so 26 "
        "and TC do not apply; it is billed as is for the technical service.",
        "4": f"No: {code} has PC/TC indicator 4, a global-test-only code: separate codes exist for "
        "the professional and technical components, and 26 and TC do not apply.",
        "5": f"No: {code} has PC/TC indicator 5 (incident-to): 26 and TC do not apply.",
        "6": f"{code} has PC/TC indicator 6 (laboratory physician interpretation): 26 may be "
        "used, TC may not.",
        "7": f"{code} has PC/TC indicator 7 (physical therapy service): 26 and TC do not apply.",
        "8": f"No: {code} has PC/TC indicator 8 (physician interpretation code): 26 and TC do not "
        "apply.",
        "9": f"The PC/TC concept does not apply to {code} (indicator 9).",
    }.get(value, "")


def _multiple(check: CodeCheck, value: str) -> str:
    meaning = meanings.explain(meanings.MULT_PROC, value)
    return f"{check.display} has multiple procedure indicator {value}: {meaning}"


Sentence = Callable[[CodeCheck, str], str]
# The FeeInfo field, the sentence, the knowledge base entry and the indicator's name.
ANSWERS: dict[str, tuple[str, Sentence, str, str]] = {
    "bilateral": ("bilateral", _bilateral, "bilateral-surgery", "Bilateral surgery (50)"),
    "assistant": ("assistant", _assistant, "assistant-and-co-surgery", "Assistant at surgery"),
    "cosurgeon": ("co_surgeon", _cosurgeon, "assistant-and-co-surgery", "Co-surgeons (62)"),
    "team": ("team", _team, "assistant-and-co-surgery", "Team surgery (66)"),
    "pctc": ("pctc", _pctc, "pc-tc", "PC/TC"),
    "multiple": ("mult_proc", _multiple, "pfs-indicators", "Multiple procedures (51)"),
}
BY_MODIFIER = {
    "50": "bilateral", "RT": "bilateral", "LT": "bilateral", "80": "assistant",
    "81": "assistant", "82": "assistant", "AS": "assistant", "62": "cosurgeon", "66": "team",
    "26": "pctc", "TC": "pctc", "51": "multiple",
}  # fmt: skip


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    if not ctx.procedures:
        return procedures.code_lookup(ctx)
    check = ctx.procedures[0]
    key = asked_about(ctx.question) or next(
        (BY_MODIFIER[m] for m in ctx.question.modifiers if m in BY_MODIFIER), "bilateral"
    )
    info = main_fee(check, ctx)
    if info is None:
        draft = Draft(
            f"The loaded Medicare Physician Fee Schedule has no row for {check.display}, so its "
            "modifier indicators are not known here.",
            is_unsure=True,
        )
        return with_kb(draft, "pfs-indicators", limit=2)
    field, sentence, slug, label = ANSWERS[key]
    value = str(getattr(info, field))
    summary = sentence(check, value) or f"{check.display}: {label} indicator {value}."
    facts = [fee_fact(check, info, f"{check.display} {label} indicator: {value}.")]
    if info.status in {"I", "N", "X", "B", "P", "E"}:
        status = meanings.explain(meanings.PFS_STATUS, info.status).rstrip(".")
        facts.append(fee_fact(check, info, f"{check.display} PFS status {info.status}: {status}."))
    draft = with_kb(Draft(summary, facts), slug, limit=2)
    return draft


HANDLER = Handler("modifier_fit", score, build, EXAMPLES)

"""Question understanding: what a coder asks (the intent) and what it names (the entities).

Pure functions over the question text, no database: `understand(text)` returns a `Question`
with the intent, the code-shaped mentions (checked against the code sets later, by the guard),
modifiers, dates of service, units, payer type and setting. The rules are plain regular
expressions and keyword lists, so the same question always gets the same reading and a test
can pin each one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from medcode.lib.codeshapes import CPT_CODE, HCPCS_LEVEL2_CODE, ICD10CM_CODE, ICD10PCS_CODE

Intent = Literal[
    "empty",
    "off_topic",
    "code_lookup",
    "ptp_pair",
    "global_period",
    "mue",
    "addon",
    "payment",
    "find_code",
    "excludes",
    "icd_notes",
    "modifier",
    "em_guidelines",
    "coverage",
    "place_of_service",
    "seventh_character",
    "severity",
    "indicator",
    "claim_check",
    "knowledge",
    # The handlers' kinds (medcode/assistant/handlers/).
    "drug_units",
    "global_modifier",
    "modifier_fit",
    "procedure_pair",
    "diagnosis_pair",
    "date_validity",
    "billable",
    "opps_status",
    "best_code",
    "is_code_for",
    "passages",
]
Payer = Literal["medicare", "medicaid", "commercial"]
Setting = Literal["facility", "office"]
# Who bills, which decides the NCCI PTP and MUE table: physicians and ASCs use the
# practitioner tables, hospital outpatient claims the hospital tables.
Place = Literal["practitioner", "asc", "outpatient_hospital", "inpatient"]


@dataclass(frozen=True)
class Dose:
    """A drug amount in the question, in the unit written ("mg", "mcg", "g", "units", "ml")."""

    amount: float
    unit: str


# Longer questions are cut here (the API refuses them before they get this far).
MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class CodeMention:
    """A code-shaped piece of the question, with the code sets its shape allows."""

    text: str  # as typed
    code: str  # upper case, no dot
    shapes: tuple[str, ...]  # CPT, HCPCS, ICD10CM, ICD10PCS, in order of likelihood
    modifiers: tuple[str, ...] = ()  # attached as in 63650-59

    @property
    def is_procedure(self) -> bool:
        return bool({"CPT", "HCPCS"} & set(self.shapes))

    @property
    def is_diagnosis(self) -> bool:
        return "ICD10CM" in self.shapes


@dataclass(frozen=True)
class Question:
    text: str
    intent: Intent
    codes: tuple[CodeMention, ...] = ()
    modifiers: tuple[str, ...] = ()
    pos_codes: tuple[str, ...] = ()
    on: dt.date | None = None
    units: int | None = None
    payer: Payer | None = None
    setting: Setting | None = None
    words: str = ""  # the question without codes, for search
    is_injection: bool = False
    indicator: tuple[str, str] | None = None  # (table, value), e.g. ("opps", "J1")
    notes: tuple[str, ...] = field(default_factory=tuple)
    dates: tuple[dt.date, ...] = ()  # every date named, in the order written
    place: Place | None = None  # who bills: decides the NCCI table
    doses: tuple[Dose, ...] = ()  # drug amounts named ("4 mg", "2.4 million units")

    @property
    def procedure_codes(self) -> tuple[CodeMention, ...]:
        return tuple(c for c in self.codes if c.is_procedure)

    @property
    def diagnosis_codes(self) -> tuple[CodeMention, ...]:
        return tuple(c for c in self.codes if c.is_diagnosis)


# --- Codes ---------------------------------------------------------------------------------

# A word of letters and digits, perhaps dotted (E11.9), perhaps with a modifier (63650-59).
_TOKEN = re.compile(
    r"(?<![\w$.])([A-Za-z0-9]{3,7}(?:\.[A-Za-z0-9]{1,4})?)(?:-([A-Za-z0-9]{2}))?(?![\w/])"
)
# Abbreviations that look like ICD-10-CM codes but are words in a question.
NOT_CODES = frozenset(
    {"T2DM", "T1DM", "B12", "A1C", "H2O", "CO2", "N95", "G6PD", "E2E", "P2P", "B2B"}
)


def code_shapes(text: str) -> tuple[str, ...]:
    """The code sets a token could belong to, by shape alone (nothing is looked up)."""
    value = text.upper()
    if value in NOT_CODES:
        return ()
    dotted = "." in value
    plain = value.replace(".", "")
    shapes: list[str] = []
    if not dotted:
        if CPT_CODE.match(plain):
            shapes.append("CPT")
        if HCPCS_LEVEL2_CODE.match(plain):
            shapes.append("HCPCS")
    if ICD10CM_CODE.match(value) and (dotted or len(plain) >= 3):
        shapes.append("ICD10CM")
    if not dotted and ICD10PCS_CODE.match(plain) and any(ch.isdigit() for ch in plain):
        shapes.append("ICD10PCS")
    return tuple(shapes)


def _is_plausible(token: str, shapes: tuple[str, ...]) -> bool:
    """Lower-case words are codes only when clearly so (e11.9, l8687), not 'b12' or 'h2o'."""
    if token.isupper() or token.isdigit() or token[:1].isdigit():
        return True
    if "." in token:
        return True
    # "e119", "i214", "z23": a letter and two digits is how coders type a diagnosis quickly.
    if "ICD10CM" in shapes and re.fullmatch(r"[a-z]\d\d[0-9a-z]{0,4}", token):
        return True
    return len(token) >= 5 and any(s in shapes for s in ("HCPCS", "ICD10CM"))


# Never codes: URLs, and release labels or versions ("v30.2", "version 30.2", "2024Q3").
_NOT_CODE_SPANS = re.compile(
    r"https?://\S+|www\.\S+|(?<![\w.])v\d{1,2}\.\d{1,2}(?:r\d+)?\b|"
    r"\b(?:version|release|ver\.?)\s+[\w.]+|\b\d{4}\s*q[1-4]\b|\b(?:fy|cy)\s?\d{4}\b|"
    r"\brvu\d{2}[a-d]?\b|[\w.-]+\.(?:csv|txt|xlsx|zip|gz|pdf|xml)\b|"
    r"\b(?:locality|mac)\s*(?:no\.?|number|#)?\s*\d{5}(?:-\d{2})?\b",
    re.I,
)
# A CPT code with a stray plural or typo letter ("99214s"), read as the code.
_TRAILING_S = re.compile(r"\b(\d{5})s\b")


def find_codes(text: str) -> tuple[CodeMention, ...]:
    """Every code-shaped word of the question, once each, in order."""
    found: dict[str, CodeMention] = {}
    text = _NOT_CODE_SPANS.sub(lambda m: " " * len(m.group(0)), text)
    text = _TRAILING_S.sub(r"\1 ", text)
    for match in _TOKEN.finditer(text):
        token, suffix = match.group(1), match.group(2)
        if token.isdigit() and len(token) != 5:
            continue
        shapes = code_shapes(token)
        if not shapes or not _is_plausible(token, shapes):
            continue
        code = token.upper().replace(".", "")
        if code in found:
            continue
        found[code] = CodeMention(token, code, shapes, (suffix.upper(),) if suffix else ())
    # A range "63650-63688" is two codes; the pattern above reads the first only.
    for first, second in re.findall(r"\b(\d{5})\s*(?:-|–|to|through)\s*(\d{5})\b", text):
        for code in (first, second):
            found.setdefault(code, CodeMention(code, code, ("CPT",)))
    return tuple(found.values())


# --- Modifiers, place of service, dates, units, payer, setting -------------------------------

_MOD_LIST = (
    r"[0-9A-Za-z]{2}\b(?:\s*(?:,|/|&|\+|and|or|vs\.?|versus)\s*(?:mod(?:ifier)?\s*)?"
    r"[0-9A-Za-z]{2}\b)*"
)
_MODIFIER_AFTER = re.compile(rf"\bmod(?:ifier)?s?\s*[-:#]?\s*({_MOD_LIST})", re.IGNORECASE)
_MODIFIER_BEFORE = re.compile(
    r"\b([0-9A-Za-z]{2})\s+(?:and\s+[0-9A-Za-z]{2}\s+)?modifiers?\b", re.I
)
# HCPCS Level II modifiers people name without the word "modifier".
KNOWN_LEVEL2 = frozenset(
    {
        "XE",
        "XS",
        "XP",
        "XU",
        "RT",
        "LT",
        "TC",
        "AS",
        "GA",
        "GZ",
        "GY",
        "GX",
        "KX",
        "QW",
        "JW",
        "JZ",
        "50",
        "59",
        "25",
        "26",
        "GP",
        "GO",
        "GN",
        "GT",
        "GC",
        "GE",
        "GV",
        "GW",
        "FS",
        "FX",
        "QK",
        "QX",
        "QY",
        "QZ",
    }
)
# "Do I need 58 on the permanent 63650?", "append 25 to the visit": a modifier without the word.
_MODIFIER_BARE = re.compile(
    r"\b(?:need|use|append|add|attach|bill(?:ed)? with|report(?:ed)? with|put)\s+(?:an?\s+)?"
    r"([0-9]{2}|[A-Z]{2})\s+(?:on|to|with|for)\b",
    re.I,
)
_BARE_MODIFIERS = frozenset(
    [
        "22",
        "24",
        "25",
        "26",
        "50",
        "51",
        "52",
        "53",
        "57",
        "58",
        "59",
        "62",
        "66",
        "76",
        "77",
        "78",
        "79",
        "80",
        "81",
        "82",
        "91",
        "AS",
        "TC",
        "XE",
        "XS",
        "XP",
        "XU",
    ]
)
POS_MENTION = re.compile(
    r"\b(?:POS|place[- ]of[- ]service)(?:\s+code)?\s*[:#]?\s*(\d{1,2})\b", re.I
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_UNITS = re.compile(r"\b(\d{1,4})\s*(?:units?|times)\b|\bx\s?(\d{1,3})\b", re.I)


def find_modifiers(text: str, codes: tuple[CodeMention, ...]) -> tuple[str, ...]:
    found: list[str] = []

    def add(value: str) -> None:
        # A word after "modifier" is a modifier only when written like one: 59, XS (not "is").
        if not (any(ch.isdigit() for ch in value) or value.isupper()):
            return
        if value not in found and value not in {"OR", "VS", "TO", "IN", "ON", "IS"}:
            found.append(value)

    for match in _MODIFIER_AFTER.finditer(text):
        for part in re.split(
            r"\s*(?:,|/|&|\+|\band\b|\bor\b|\bvs\.?|\bversus\b)\s*", match.group(1)
        ):
            part = re.sub(r"(?i)^mod(?:ifier)?\s*", "", part.strip())
            if re.fullmatch(r"[0-9A-Za-z]{2}", part):
                add(part)
    for match in _MODIFIER_BEFORE.finditer(text):
        add(match.group(1))
    for match in _MODIFIER_BARE.finditer(text):
        if match.group(1) in _BARE_MODIFIERS:
            add(match.group(1))
    for code in codes:
        for modifier in code.modifiers:
            add(modifier)
    asks_meaning = not codes and re.search(
        r"\bdefinition|\bdefine|\bmeans?\b|\bmeaning|what is|what's|stand for", text, re.I
    )
    if found or asks_meaning or re.search(r"\bmodifiers?\b|\bvs\.?\b|\bversus\b", text, re.I):
        for token in re.findall(r"\b[0-9A-Z]{2}\b", text):
            if token in KNOWN_LEVEL2 and not token.isdigit():
                add(token)
    return tuple(found)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I)
_NUMERIC_MONTH_YEAR = re.compile(r"(?<![/\d])(\d{1,2})/(\d{4})\b")
_QUARTER = re.compile(r"\b(\d{4})\s*-?\s*q([1-4])\b|\bq([1-4])\s*(?:of\s+)?(\d{4})\b", re.I)


def _date(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    try:
        found = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if 1990 <= found.year <= 2100 else None


def find_dates(text: str) -> tuple[dt.date, ...]:
    """Every date of service written, in order: 2024-07-15, 7/15/2024, Feb 6 2025, 6 February
    2025; a month alone (May 2026, 08/2024) reads as its first day, a quarter (2024 Q3) as
    the quarter's first day."""
    found: list[tuple[int, dt.date]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], day: dt.date | None) -> None:
        span = match.span()
        if day is None or any(a < span[1] and span[0] < b for a, b in taken):
            return
        taken.append(span)
        found.append((span[0], day))

    for match in _ISO_DATE.finditer(text):
        add(match, _date(*match.groups()))
    for match in _US_DATE.finditer(text):
        m, d, y = match.groups()
        add(match, _date(y, m, d))
    for match in _MONTH_DAY_YEAR.finditer(text):
        name, d, y = match.groups()
        add(match, _date(y, _MONTHS[name.lower().rstrip(".")], d))
    for match in _DAY_MONTH_YEAR.finditer(text):
        d, name, y = match.groups()
        add(match, _date(y, _MONTHS[name.lower().rstrip(".")], d))
    for match in _MONTH_YEAR.finditer(text):
        name, y = match.groups()
        add(match, _date(y, _MONTHS[name.lower().rstrip(".")], 1))
    for match in _NUMERIC_MONTH_YEAR.finditer(text):
        m, y = match.groups()
        add(match, _date(y, m, 1))
    for match in _QUARTER.finditer(text):
        year, quarter = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
        add(match, _date(year, 3 * int(quarter) - 2, 1))
    return tuple(day for _, day in sorted(found, key=lambda item: item[0]))


_DOSE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(million\s+units|mcg|micrograms?|µg|mg|milligrams?|gm|grams?|g|units?|iu|ml|meq)\b",
    re.I,
)
_DOSE_UNITS = {
    "microgram": "mcg", "micrograms": "mcg", "µg": "mcg", "milligram": "mg", "milligrams": "mg",
    "gm": "g", "gram": "g", "grams": "g", "unit": "units", "iu": "units",
}  # fmt: skip


def find_doses(text: str) -> tuple[Dose, ...]:
    """Drug amounts: "4 mg", "1 gram", "5,000 units", "2.4 million units" (in units)."""
    doses = []
    for number, unit in _DOSE.findall(text):
        amount = float(number.replace(",", ""))
        unit = " ".join(unit.lower().split())
        if unit == "million units":
            amount, unit = amount * 1_000_000, "units"
        doses.append(Dose(amount, _DOSE_UNITS.get(unit, unit)))
    return tuple(doses)


def find_place(text: str) -> Place | None:
    """Who bills, when the question says: an ASC, a hospital outpatient claim, an inpatient
    stay, or a physician / office / professional claim."""
    lowered = text.lower()
    if re.search(r"\basc\b|ambulatory surg(ery|ical) cent", lowered):
        return "asc"
    if re.search(
        r"hospital outpatient|outpatient hospital|\bhopd\b|\bopps\b|\btob\s*13|\b13x\b|"
        r"facility (claim|bill|side)|hospital (claim|bill|facility|table|side|ed\b|emergency)|"
        r"\bed facility|emergency department claim|\bub-?04\b|institutional claim",
        lowered,
    ):
        return "outpatient_hospital"
    if re.search(r"\binpatient\b|\bms-?drg\b|admitted", lowered):
        return "inpatient"
    if re.search(
        r"\bphysician|\boffice\b|\bprofessional (claim|side|table)|\bpractitioner|"
        r"\bpos\s*11\b|\bclinic\b|\bcms-?1500\b|\bsurgeon\b|private practice",
        lowered,
    ):
        return "practitioner"
    return None


def find_units(text: str) -> int | None:
    match = _UNITS.search(text)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def find_payer(text: str) -> Payer | None:
    lowered = text.lower()
    if re.search(r"\bmedicaid\b", lowered):
        return "medicaid"
    if re.search(r"\bmedicare\b|\bcms\b", lowered):
        return "medicare"
    if re.search(
        r"\bcommercial\b|\bprivate (payer|insurance|plan)|\bblue cross|\bbcbs\b|\baetna\b|"
        r"\bcigna\b|\bunited ?healthcare\b|\bhumana\b",
        lowered,
    ):
        return "commercial"
    return None


def find_setting(text: str) -> Setting | None:
    lowered = text.lower()
    if re.search(r"\bnon-?facility\b|\boffice\b|\bclinic\b", lowered):
        return "office"
    if re.search(
        r"\bfacility\b|\bhospital\b|\binpatient\b|\bhopd\b|\basc\b|\bambulatory surgery|\bopps\b",
        lowered,
    ):
        return "facility"
    return None


# --- Intent ----------------------------------------------------------------------------------

INJECTION = re.compile(
    r"ignore (all |any |the |your |previous |prior |above )*(instructions|rules|guard|prompt)|"
    r"disregard (all |your |the |previous )*(instructions|rules)|system prompt|"
    r"you are now|pretend (to be|that)|act as (if|a)|jailbreak|developer mode|"
    r"(say|tell me|state|confirm|answer) (that )?\S+ is (a )?valid|new instructions",
    re.IGNORECASE,
)

_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "claim": r"\bcheck (this|these|my|the|our) (claim|lines|codes)\b|\bclaim check\b|"
        r"\bscrub\b|\bclaim lines?\s*:",
        "together": r"together|same (day|date|session|encounter)|bundl|\bncci\b|\bptp\b|"
        r"column [12]|\bwith each other\b|\bbilled with\b|\bbill(ed)? .{0,20}\bwith\b|"
        r"\band\b.{0,30}\bboth\b|\bunbundl|\bpair\b",
        "excludes": r"excludes\s*-?\s*[12]?|\bexclusion note",
        "icd_notes": r"code first|use additional|code also|includes note|inclusion term|"
        r"instructional note|tabular note",
        "seventh": r"\b7th\b|seventh|\bextension character|placeholder",
        "severity": r"\bm?cc\b|\bmcc\b|complication or comorbidity|comorbidit|"
        r"(?<!unspecified )\bseverity\b(?!\s+(is\s+)?(not|unspecified|unknown))|"
        r"\bms-?drg\b|\bdrg\b",
        "global": r"global (period|days?|surgery|package|surgical)|"
        r"post-?op(erative)? (period|days)|\bglobal\b",
        "mue": r"\bmues?\b|medically unlikely|max(imum)? (number of )?units|how many units|"
        r"units? (limit|allowed|per day)|\bunits\b.{0,20}\b(bill|report)",
        "addon": r"add-?on|primary (code|procedure)s?\b",
        "payment": r"\bpay\b|\bpays\b|\bpaid\b|payment|reimburs|\brvus?\b|relative value|"
        r"how much|\bprice\b|\brate\b|\bfee\b|allowed amount|conversion factor|\bamount\b|"
        r"\ballow(ed|s)? nationally|dollar|\bnational\b(?! coverage)",
        "coverage": r"\bcover(ed|age|s)?\b(?! letters?\b)|\bncds?\b|\blcds?\b|"
        r"medical(ly)? necess|\babn\b|"
        r"national coverage|local coverage",
        "pos": r"place[- ]of[- ]service|\bpos\b",
        "modifier": r"\bmod(ifier)?s?\b",
        "em": r"\be/?m\b|\be&m\b|evaluation and management|medical decision[- ]making|\bmdm\b|"
        r"office visits?|outpatient visits?",
        "find": r"which (hcpcs |icd-?10(-cm|-pcs)? |cpt |diagnosis |procedure )?code|"
        r"what (hcpcs |icd-?10(-cm|-pcs)? |cpt |diagnosis |procedure )?code|code for\b|"
        r"how (do|should|would) (i|we|you) (code|bill|report)|codes? (is|are) used for|"
        r"\bcode(s)? (to use )?for\b|\bdiagnosis code\b|\bhcpcs for\b|\bicd-?10 for\b",
        "indicator": r"\bindicator\b|status (code|indicator)|\bsi\b|\bmai\b|\bpc/?tc\b|"
        r"\bccmi\b|\bwhat does .{0,40}\b(status|indicator|flag)\b",
        "lookup": r"what is|what's|what does|describe|definition|define|meaning|mean\b|"
        r"tell me about|explain|look ?up|is .{0,12} (valid|billable|active|deleted)",
    }.items()
}

# Words that show a question is about coding or medicine at all.
CODING_WORDS = re.compile(
    r"\b(codes?|coding|coder|bill(ing|ed|able)?|claims?|modifiers?|diagnos\w*|procedur\w*|"
    r"vials?|drugs?|doses?|"
    r"dx|ckd|dm|t2dm|t1dm|htn|chf|copd|afib|uti|bph|gerd|dka|nstemi|stemi|esrd|dvt|"
    r"cpt|hcpcs|icd|pcs|medicare|medicaid|payer|insur\w*|ncci|mue|ptp|rvus?|fee|"
    r"reimburs\w*|denial|denied|audit|documentation|guidelines?|surgery|surgical|surgeon|"
    r"patient|visit|encounter|e/?m|drg|coverage|lcd|ncd|hospital|physician|clinic|"
    r"device|implant\w*|injection|infusion|fracture|diabetes|pain|cancer|tumou?r|"
    r"neoplasm|infection|disease|disorder|syndrome|injury|wound|biopsy|x-?ray|mri|ct|"
    r"ultrasound|anesthesia|stimulator|generator|lead|catheter|stent|prosthe\w*|"
    r"orthotic|wheelchair|crutch\w*|oxygen|drug|vaccin\w*|therapy|screening|exam\w*|"
    r"pregnan\w*|delivery|dialysis|laborator\w*|lab|test|imaging|radiolog\w*|"
    r"hypertension|asthma|copd|pneumonia|sepsis|stroke|heart|cardiac|renal|kidney|"
    r"liver|lung|spine|spinal|knee|hip|shoulder|back|chest|abdominal|skin|eye|ear|"
    r"dental|tooth|teeth|mental|depress\w*|anxiety|alcohol|opioid|obesity|supply|supplies|"
    r"pos|place of service|global period|bilateral|excludes\d?|7th character|comorbidit\w*|"
    r"complication|sequela|laterality|units?|nurse|pharmacy|ambulance|telehealth)\b",
    re.IGNORECASE,
)

# Knowledge-base topics named without a code ("what is global surgery?").
# Requests that are plainly not coding questions, whatever coding words they contain.
NOT_CODING = re.compile(
    r"\b(write|compose|draft)\b.{0,20}\b(cover letter|resume|poem|essay|story|song|joke|"
    r"speech)\b|\bcover letter\b|\b(stock|share) (price|market)\b|\bweather\b|\brecipe\b|"
    r"\blottery\b|\bhoroscope\b",
    re.IGNORECASE,
)
KNOWLEDGE_HINTS = re.compile(
    r"bilateral|global surgery|global period|excludes|modifier 25|\bx\{?epsu\}?|"
    r"professional component|technical component|assistant (at )?surgery|co-?surgeon|"
    r"team surgery|multiple procedure|ncci|medically unlikely|add-?on|cc/mcc|"
    r"coding conventions?|official guidelines|\bnec\b|\bnos\b|laterality|sequenc|"
    r"split/shared|new patient|established patient|incident[- ]to|\babn\b|"
    r"place of service|facility|non-?facility|status indicator|local coverage|national coverage",
    re.IGNORECASE,
)

_INDICATOR_VALUE = re.compile(
    r"\b(?:(?P<table>opps|pfs|status|mai|global|pc/?tc|bilateral|multiple procedure|"
    r"assistant|co-?surgeon|team|modifier indicator|ccmi|aoc|add-?on type|type)\b[^?.\n]{0,30}?"
    r"\b(?:indicator|code|value|type)?\s*(?P<value>[A-Z]\d|\d{1,3}|[A-Z]{1,3})\b)",
    re.IGNORECASE,
)


# "What does that code cover?" asks what the code describes, not Medicare coverage.
_DESCRIBES = re.compile(
    r"\b(which|what)\b.{0,40}\b(does|do) (that|this|the|it)\b.{0,12}\bcover\b", re.I
)

# "cc" alone may be cubic centimetres next to a drug code; these words are about CC/MCC.
_SEVERITY_WORDS = re.compile(r"\bmcc\b|comorbid|complication|\ba cc\b|\bcc\?", re.I)

_SYSTEM_NAMES = (
    (re.compile(r"\bicd-?10-?pcs\b|\bpcs\b|\binpatient procedure", re.I), "ICD10PCS"),
    (re.compile(r"\bicd(-?10)?(-?cm)?\b|\bdiagnos", re.I), "ICD10CM"),
    (re.compile(r"\bhcpcs\b|\blevel (ii|2)\b", re.I), "HCPCS"),
    (re.compile(r"\bcpt\b", re.I), "CPT"),
)


def named_systems(text: str) -> tuple[str, ...]:
    """The code sets a question names ("HCPCS G9381", "ICD-10 code ..."), first named first."""
    found = sorted(
        (match.start(), system)
        for pattern, system in _SYSTEM_NAMES
        if (match := pattern.search(text)) is not None
    )
    return tuple(dict.fromkeys(system for _, system in found))


def understand(text: str) -> Question:
    """The intent and entities of a question (pure; codes are checked later)."""
    original = (text or "").replace("\x00", " ")
    cleaned = " ".join(original.split())[:MAX_QUESTION_CHARS]
    if not cleaned or not re.search(r"[A-Za-z0-9]", cleaned):
        return Question(text=cleaned, intent="empty")
    codes = find_codes(cleaned)
    modifiers = find_modifiers(_MODIFIER_TYPOS.sub("modifier", cleaned), codes)
    modifier_set = set(modifiers)
    # "modifier 59" names a modifier, not a code; drop code-shaped readings of modifiers.
    codes = tuple(c for c in codes if not (c.code in modifier_set and len(c.code) == 2))
    pos_codes = tuple(dict.fromkeys(m.zfill(2) for m in POS_MENTION.findall(cleaned)))
    dates = find_dates(cleaned)
    words = _words_without_codes(cleaned, codes)
    hits = {
        name: bool(p.search(_MODIFIER_TYPOS.sub("modifier", cleaned)))
        for name, p in _PATTERNS.items()
    }
    is_injection = bool(INJECTION.search(cleaned))
    intent = _intent(cleaned, codes, modifiers, pos_codes, hits)
    indicator = _indicator(cleaned) if intent == "indicator" else None
    return Question(
        text=cleaned,
        intent=intent,
        codes=codes,
        modifiers=modifiers,
        pos_codes=pos_codes,
        on=dates[0] if dates else None,
        units=find_units(cleaned),
        payer=find_payer(cleaned),
        setting=find_setting(cleaned),
        words=words,
        is_injection=is_injection,
        indicator=indicator,
        dates=dates,
        place=find_place(cleaned),
        doses=find_doses(cleaned),
    )


# Ways people mistype "modifier".
_MODIFIER_TYPOS = re.compile(r"\bmod(?:ifer|ifeir|fier|ifie|ifyer)(s?)\b", re.I)


def _words_without_codes(text: str, codes: tuple[CodeMention, ...]) -> str:
    out = text
    for code in codes:
        out = re.sub(rf"(?<![\w.]){re.escape(code.text)}(?:-[0-9A-Za-z]{{2}})?(?![\w])", " ", out)
    return " ".join(out.split())


def _intent(
    text: str,
    codes: tuple[CodeMention, ...],
    modifiers: tuple[str, ...],
    pos_codes: tuple[str, ...],
    hits: dict[str, bool],
) -> Intent:
    procedures = [c for c in codes if c.is_procedure]
    diagnoses = [c for c in codes if c.is_diagnosis and not c.is_procedure]
    if not codes and NOT_CODING.search(text):
        return "off_topic"
    if hits["claim"] and codes:
        return "claim_check"
    if hits["pos"] and ((pos_codes and len(procedures) < 2) or not codes):
        return "place_of_service"
    if len(procedures) >= 2 and (hits["together"] or hits["claim"]):
        return "ptp_pair"
    if hits["excludes"]:
        return "excludes"
    if hits["seventh"]:
        return "seventh_character"
    if hits["severity"] and (diagnoses or not codes or _SEVERITY_WORDS.search(text)):
        return "severity" if codes else "knowledge"
    if hits["icd_notes"] and codes:
        return "icd_notes"
    if hits["mue"] and codes:
        return "mue"
    if hits["addon"] and codes:
        return "addon"
    if hits["global"] and codes:
        return "global_period"
    if hits["find"] and not codes:
        return "find_code"  # "which code for a protective cover": a search, not coverage
    if hits["coverage"] and not (codes and _DESCRIBES.search(text)):
        return "coverage"
    if hits["payment"] and codes:
        return "payment"
    if (hits["indicator"] or hits["lookup"]) and not codes and _indicator(text) is not None:
        return "indicator"
    if modifiers and not procedures and not diagnoses:
        return "modifier"
    if hits["modifier"] and not codes:
        return "modifier"
    if hits["em"] and not codes:
        return "em_guidelines"
    if hits["find"] and not codes:
        return "find_code"
    if len(procedures) >= 2 and len(procedures) == len(codes):
        return "ptp_pair"
    if codes:
        return "code_lookup"
    if KNOWLEDGE_HINTS.search(text):
        return "knowledge"
    if hits["mue"] or hits["global"] or hits["addon"] or hits["payment"] or hits["indicator"]:
        return "knowledge"
    if CODING_WORDS.search(text):
        return "find_code"
    return "off_topic"


_TABLE_ALIASES = {
    "opps": "opps",
    "status": "status",
    "pfs": "status",
    "mai": "mai",
    "global": "global",
    "pc/tc": "pctc",
    "pctc": "pctc",
    "bilateral": "bilateral",
    "multiple procedure": "multiple",
    "assistant": "assistant",
    "co-surgeon": "cosurgeon",
    "cosurgeon": "cosurgeon",
    "team": "team",
    "modifier indicator": "ptp",
    "ccmi": "ptp",
    "aoc": "addon",
    "add-on type": "addon",
    "addon type": "addon",
    "type": "addon",
}


def _indicator(text: str) -> tuple[str, str] | None:
    """("opps", "J1") for "What does OPPS status indicator J1 mean?"."""
    lowered = text.lower()
    for match in _INDICATOR_VALUE.finditer(text):
        table = _TABLE_ALIASES.get(match.group("table").lower())
        value = match.group("value").upper()
        if table is None or value in {"IS", "OF", "THE", "A", "AN", "MEAN", "FOR"}:
            continue
        if table == "status" and ("opps" in lowered or "status indicator" in lowered):
            table = "opps"
        if table == "addon" and "add" not in lowered and "aoc" not in lowered:
            continue
        return table, value
    return None

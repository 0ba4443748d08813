"""What a search box query means: codes, code ranges, modifiers, and words.

`parse_query` recognises code forms without any database (so it can be wrong about a
code's existence, never about its shape); `fts5_query` turns the remaining words into an
SQLite FTS5 expression in which user input is always quoted and never an operator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from medcode.lib.codeshapes import (
    CPT,
    HCPCS_LEVEL2,
    ICD10CM_CATEGORY,
    ICD10PCS,
    ICD10PCS_CHAR,
    MODIFIER,
)
from medcode.search.clinical_words import EYE_ABBREVIATIONS, EYE_CONTEXT_WORDS, clinical_words
from medcode.search.laywords import lay_synonyms

CodeSystem = Literal["icd10cm", "icd10pcs", "hcpcs", "cpt"]

MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32


@dataclass(frozen=True, slots=True)
class CodeTerm:
    """A code as typed, normalised: upper case, no dots ("s72.001a" -> "S72001A").

    `systems` lists every code set whose shape fits (E1100 is HCPCS E1100 and ICD-10-CM
    E11.00). `is_prefix` means codes that start with `code` match too: it is set for
    ICD-10-CM codes shorter than 7 characters and for a trailing "-" or "*".
    """

    raw: str
    code: str
    systems: tuple[CodeSystem, ...]
    is_prefix: bool


@dataclass(frozen=True, slots=True)
class CodeRange:
    raw: str
    first: str
    last: str
    systems: tuple[CodeSystem, ...]

    def contains(self, code: str) -> bool:
        """Whether `code` (normalised) falls in the range, prefixes included: S72.0-S72.2
        holds S72.199A."""
        return self.first <= code[: len(self.first)] and code[: len(self.last)] <= self.last


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    raw: str
    codes: tuple[CodeTerm, ...] = ()
    ranges: tuple[CodeRange, ...] = ()
    modifiers: tuple[str, ...] = ()
    words: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.codes or self.ranges or self.modifiers or self.words)

    @property
    def has_codes(self) -> bool:
        return bool(self.codes or self.ranges or self.modifiers)

    @property
    def text(self) -> str:
        """The words as one string, e.g. to embed."""
        return " ".join(self.words)


# ---------------------------------------------------------------- code shapes

_ICD10CM_DOTTED = re.compile(rf"{ICD10CM_CATEGORY}\.[0-9A-Z]{{0,4}}")
_ICD10CM_PLAIN = re.compile(rf"{ICD10CM_CATEGORY}[0-9A-Z]{{0,4}}")
_ICD10PCS = re.compile(ICD10PCS)
_ICD10PCS_PREFIX = re.compile(rf"\d{ICD10PCS_CHAR}{{2,5}}")
_HCPCS = re.compile(HCPCS_LEVEL2)
_CPT = re.compile(CPT)
_MODIFIER = re.compile(MODIFIER)
# "2nd", "5mg", "10cm": digits then a unit or an ordinal, not an ICD-10-PCS prefix.
_NOT_A_CODE = re.compile(
    r"\d+(?:ST|ND|RD|TH|MG|MCG|ML|KG|CM|MM|HR|HRS|MIN|YO|YR|YRS|WK|WKS|MO|MOS|DAY|DAYS|G|L|H|D|Y|X|S)"
)
# Two-letter words that look like modifiers but read as English or as FTS operators.
_COMMON_PAIRS = frozenset(
    [
        "AM",
        "AN",
        "AS",
        "AT",
        "BE",
        "BY",
        "DO",
        "GO",
        "HE",
        "IF",
        "IN",
        "IS",
        "IT",
        "ME",
        "MY",
        "NO",
        "OF",
        "OH",
        "OK",
        "ON",
        "OR",
        "SO",
        "TO",
        "UP",
        "US",
        "WE",
    ]
)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")


def code_systems(token: str) -> tuple[tuple[CodeSystem, ...], bool]:
    """The code sets whose shape `token` fits (upper case, as typed), and whether it is a
    prefix. Empty when it is not a code."""
    wildcard = token.endswith(("-", "*"))
    body = token.rstrip("-*")
    plain = body.replace(".", "")
    systems: list[CodeSystem] = []
    is_prefix = wildcard
    if _ICD10CM_DOTTED.fullmatch(body) or ("." not in body and _ICD10CM_PLAIN.fullmatch(body)):
        systems.append("icd10cm")
        is_prefix = is_prefix or len(plain) < 7
    if "." not in body:
        if _ICD10PCS.fullmatch(body) and not body.isdigit():
            systems.append("icd10pcs")
        elif (
            _ICD10PCS_PREFIX.fullmatch(body)
            and not body.isdigit()
            and not _NOT_A_CODE.fullmatch(body)
            and not _CPT.fullmatch(body)
        ):
            systems.append("icd10pcs")
            is_prefix = True
        if _HCPCS.fullmatch(body):
            systems.append("hcpcs")
        if _CPT.fullmatch(body):
            systems.append("cpt")
    return tuple(systems), is_prefix and bool(systems)


def normalise_code(token: str) -> str:
    return token.upper().replace(".", "").replace(" ", "").rstrip("-*")


# ---------------------------------------------------------------- parsing

_CODE_CHARS = r"[A-Za-z0-9][A-Za-z0-9.]{1,7}"
_RANGE = re.compile(
    rf"(?<![\w.-])({_CODE_CHARS})\s*(?:-|\bto\b|\bthrough\b|\bthru\b)\s*({_CODE_CHARS})(?![\w-])",
    re.IGNORECASE,
)
_EXPLICIT_MODIFIER = re.compile(
    r"(?<![\w-])(?:mod(?:ifier)?s?\s*[-:#]?\s*|-)([0-9A-Za-z]{2})(?![\w.])", re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def clean_query(q: str) -> str:
    """Printable text only, dashes unified, length capped."""
    q = unicodedata.normalize("NFKC", q[: MAX_QUERY_CHARS * 2]).translate(_DASHES)
    q = "".join(c if c.isprintable() else " " for c in q)
    return q[:MAX_QUERY_CHARS]


def parse_query(q: str) -> ParsedQuery:
    raw = q
    q = clean_query(q)
    ranges: list[CodeRange] = []
    modifiers: list[str] = []
    codes: list[CodeTerm] = []
    words: list[str] = []

    def take_range(m: re.Match[str]) -> str:
        first, last = m.group(1).upper(), m.group(2).upper()
        first_systems, _ = code_systems(first)
        last_systems, _ = code_systems(last)
        common = tuple(s for s in first_systems if s in last_systems)
        if not common or len(first) < 3:
            return m.group(0)
        ranges.append(CodeRange(m.group(0), normalise_code(first), normalise_code(last), common))
        return " "

    q = _RANGE.sub(take_range, q)

    def take_modifier(m: re.Match[str]) -> str:
        modifiers.append(m.group(1).upper())
        return " "

    q = _EXPLICIT_MODIFIER.sub(take_modifier, q)

    tokens = re.split(r"[\s,;+/|()\[\]{}<>\"]+", q)
    ambiguous: list[str] = []  # short code-shaped tokens, which may be words ("B12")
    for token in tokens:
        token = token.strip("'`!?:=^~&#@$%").rstrip(".")
        if not token:
            continue
        upper = token.upper()
        systems, is_prefix = code_systems(upper)
        if systems and any(c.isdigit() for c in upper):
            codes.append(CodeTerm(token, normalise_code(upper), systems, is_prefix))
            if len(upper) <= 3:
                ambiguous.append(token.lower())
                words.append(token.lower())
            continue
        if (
            _MODIFIER.fullmatch(token)
            and (token.isdigit() or token.isupper())
            and upper not in _COMMON_PAIRS
        ):
            modifiers.append(upper)
        words.extend(w.lower() for w in _WORD.findall(token))
    # A code-shaped token is a word too only among other words: "vitamin B12 deficiency".
    if all(w in ambiguous for w in words):
        words = []
    words = side_words(words)
    return ParsedQuery(
        raw=raw,
        codes=tuple(codes),
        ranges=tuple(ranges),
        modifiers=tuple(dict.fromkeys(modifiers)),
        words=tuple(words[:MAX_QUERY_WORDS]),
    )


# ---------------------------------------------------------------- sides

# Words that make a query about the eye, so OD, OS and OU name its side (oculus dexter,
# sinister, uterque): "wet AMD OD", "POAG OU". Elsewhere OD is an overdose and OS a bone.
_EYE_WORDS = """eye eyes ocular eyelid amd armd poag glaucoma cataract cataracts macular macula
    retina retinal retinopathy cornea corneal conjunctivitis uveitis iritis keratitis
    blepharitis chalazion stye hordeolum pterygium vitreous crao crvo brvo iop"""
EYE_WORDS = frozenset(_EYE_WORDS.split()) | EYE_ABBREVIATIONS
EYE_SIDES = {"od": "right", "os": "left", "ou": "bilateral"}
# R and L written alone for the side ("osgood schlatter R knee", "fx L distal radius").
LETTER_SIDES = {"r": "right", "l": "left"}
# Coders' side shorthand ("rt knee", "lt wrist fx", "bilat knee oa"); "rt" and "lt" only
# before another word ("s/p RT" at the end is radiation therapy).
SIDE_ABBREVIATIONS = {"rt": "right", "lt": "left", "bilat": "bilateral"}


def side_words(words: Sequence[str]) -> list[str]:
    """The words with clinicians' side letters spelt out: OD/OS/OU in a query about the
    eye, R and L standing alone (not after a number: "2 L" is litres; not "r/o", rule out),
    rt/lt before a word, bilat and b/l."""
    eye = any(w in EYE_WORDS for w in words)
    out: list[str] = []
    for i, word in enumerate(words):
        if eye and word in EYE_CONTEXT_WORDS:
            # "PDR with DME OS": diabetic macular edema, not durable medical equipment.
            out.extend(EYE_CONTEXT_WORDS[word])
            continue
        if eye and word in EYE_SIDES:
            word = EYE_SIDES[word]
        elif word in SIDE_ABBREVIATIONS and (word == "bilat" or i + 1 < len(words)):
            word = SIDE_ABBREVIATIONS[word]
        elif word == "b" and list(words[i + 1 : i + 2]) == ["l"]:
            continue  # "b/l": bilateral, read at its "l"
        elif word == "l" and i and words[i - 1] == "b":
            word = "bilateral"
        elif (
            word in LETTER_SIDES
            and not (i and words[i - 1][:1].isdigit())
            and list(words[i + 1 : i + 2]) != ["o"]  # "r/o": rule out
        ):
            word = LETTER_SIDES[word]
        out.append(word)
    return out


# ---------------------------------------------------------------- lay synonyms

# Everyday words -> the words ICD-10-CM and HCPCS titles use. Written for medcode.
LAY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sugar diabetes": ("diabetes mellitus",),
    "sugar": ("diabetes mellitus", "hyperglycemia"),
    "high blood sugar": ("hyperglycemia",),
    "low blood sugar": ("hypoglycemia",),
    "heart attack": ("myocardial infarction",),
    "heart failure": ("cardiac failure",),
    "stroke": ("cerebral infarction", "cerebrovascular"),
    "mini stroke": ("transient ischemic attack",),
    "high blood pressure": ("hypertension",),
    "low blood pressure": ("hypotension",),
    "kidney": ("renal",),
    "kidney stone": ("calculus of kidney", "nephrolithiasis"),
    "liver": ("hepatic",),
    "lung": ("pulmonary",),
    "broken": ("fracture",),
    "break": ("fracture",),
    "thigh bone": ("femur",),
    "hip": ("femur neck",),
    "shin bone": ("tibia",),
    "collar bone": ("clavicle",),
    "collarbone": ("clavicle",),
    "kneecap": ("patella",),
    "skull": ("cranium",),
    "spinal cord stimulator": ("neurostimulator spinal",),
    "power wheelchair": ("power wheelchair", "power operated vehicle"),
    "scooter": ("power operated vehicle",),
    "water pill": ("diuretic",),
    "blood thinner": ("anticoagulant",),
    "pink eye": ("conjunctivitis",),
    "lazy eye": ("amblyopia",),
    "cross eyed": ("strabismus",),
    "bed sore": ("pressure ulcer",),
    "bedsore": ("pressure ulcer",),
    "pressure sore": ("pressure ulcer",),
    "flu": ("influenza",),
    "cold sore": ("herpes simplex",),
    "shingles": ("zoster",),
    "chickenpox": ("varicella",),
    "whooping cough": ("pertussis",),
    "heartburn": ("gastro-esophageal reflux", "dyspepsia"),
    "acid reflux": ("gastro-esophageal reflux",),
    "stomach ache": ("abdominal pain",),
    "belly pain": ("abdominal pain",),
    "stomach": ("gastric", "abdominal"),
    "throwing up": ("vomiting",),
    "nosebleed": ("epistaxis",),
    "fainting": ("syncope",),
    "passed out": ("syncope",),
    "dizzy": ("dizziness",),
    "short of breath": ("dyspnea",),
    "shortness of breath": ("dyspnea",),
    "high cholesterol": ("hypercholesterolemia", "hyperlipidemia"),
    "underactive thyroid": ("hypothyroidism",),
    "overactive thyroid": ("hyperthyroidism",),
    "blood clot": ("thrombosis", "embolism"),
    "clot": ("thrombosis",),
    "brain bleed": ("intracranial hemorrhage",),
    "bleeding": ("hemorrhage",),
    "bruise": ("contusion",),
    "sprained": ("sprain",),
    "pulled muscle": ("strain of muscle",),
    "slipped disc": ("intervertebral disc displacement",),
    "back pain": ("dorsalgia", "low back pain"),
    "wisdom tooth": ("impacted tooth",),
    "tooth decay": ("dental caries",),
    "hay fever": ("allergic rhinitis",),
    "pregnant": ("pregnancy",),
    "miscarriage": ("spontaneous abortion",),
    "c section": ("cesarean",),
    "c-section": ("cesarean",),
    "tummy tuck": ("abdominoplasty",),
    "cancer": ("malignant neoplasm",),
    "tumor": ("neoplasm",),
    "tumour": ("neoplasm",),
    "mole": ("nevus",),
    "birthmark": ("nevus",),
    "hiv": ("human immunodeficiency virus",),
    "uti": ("urinary tract infection",),
    "copd": ("chronic obstructive pulmonary disease",),
    "ckd": ("chronic kidney disease",),
    "chf": ("congestive heart failure",),
    "afib": ("atrial fibrillation",),
    "dvt": ("deep vein thrombosis",),
    "pe": ("pulmonary embolism",),
    "mi": ("myocardial infarction",),
    "gerd": ("gastro-esophageal reflux",),
    "dm": ("diabetes mellitus",),
    "htn": ("hypertension",),
}
# Abbreviations, brand drug names and more everyday words (laywords.py); the pairs above win.
LAY_SYNONYMS.update({k: v for k, v in lay_synonyms().items() if k not in LAY_SYNONYMS})

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "per",
        "the",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
    ]
)

# Specialty abbreviations and lay symptom, mental-health, injury and maternity words
# (clinical_words.py), each also without its stop words, as the word search reads a query.
for _phrase, _words in clinical_words().items():
    for _key in (_phrase, " ".join(w for w in _phrase.split() if w not in STOP_WORDS)):
        if _key:
            LAY_SYNONYMS.setdefault(_key, _words)

Alternative = tuple[str, ...]  # words of one phrase
Group = tuple[Alternative, ...]  # the user's words first, then synonyms


def expand_synonyms(words: Sequence[str]) -> list[Group]:
    """Groups of alternatives, longest lay phrase first: ["broken", "hip"] ->
    [(("broken",), ("fracture",)), (("hip",), ("femur", "neck"))]."""
    phrases = _phrases_by_first_word()
    lowered = [w.lower() for w in words]
    groups: list[Group] = []
    i = 0
    while i < len(lowered):
        for key, extra in phrases.get(lowered[i], ()):
            if tuple(lowered[i : i + len(key)]) == key:
                groups.append((key, *(e for e in extra if e != key)))
                i += len(key)
                break
        else:
            groups.append(((lowered[i],),))
            i += 1
    return groups


@lru_cache(maxsize=1)
def _phrases_by_first_word() -> dict[str, list[tuple[Alternative, tuple[Alternative, ...]]]]:
    """LAY_SYNONYMS tokenised as queries are ("d&c" -> d, c), by first word, longest first."""
    found: dict[str, list[tuple[Alternative, tuple[Alternative, ...]]]] = {}
    for phrase, expansions in LAY_SYNONYMS.items():
        key = tuple(_WORD.findall(phrase.lower()))
        if key:
            extra = tuple(tuple(_WORD.findall(e.lower())) for e in expansions)
            found.setdefault(key[0], []).append((key, extra))
    for entries in found.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return found


def quote_fts(token: str) -> str:
    """One FTS5 string: inner quotes doubled, so NEAR, AND, *, ^ and : stay plain text."""
    return '"' + token.replace('"', '""') + '"'


def fts5_query(
    words: Sequence[str],
    *,
    prefix_last: bool = True,
    expand: bool = True,
    operator: Literal["AND", "OR"] = "AND",
) -> str:
    """An FTS5 MATCH expression for `words`, or "" when nothing is left to match.

    Every token is quoted; stop words are dropped unless nothing else remains; the last
    user token becomes a prefix ("femu" matches "femur") for search-as-you-type.
    """
    cleaned = [w for w in (_clean_token(w) for w in words) if w][:MAX_QUERY_WORDS]
    if not cleaned:
        return ""
    content = [w for w in cleaned if w.lower() not in STOP_WORDS] or cleaned
    groups = expand_synonyms(content) if expand else [((w,),) for w in content]
    parts: list[str] = []
    for n, group in enumerate(groups):
        is_last = n == len(groups) - 1
        rendered = []
        for k, alternative in enumerate(group):
            tokens = [quote_fts(t) for t in alternative]
            if prefix_last and is_last and k == 0:
                tokens[-1] += "*"
            rendered.append(tokens[0] if len(tokens) == 1 else "(" + " AND ".join(tokens) + ")")
        parts.append(rendered[0] if len(rendered) == 1 else "(" + " OR ".join(rendered) + ")")
    return f" {operator} ".join(parts)


def _clean_token(token: str) -> str:
    return "".join(c for c in token if c.isprintable() and not c.isspace())


# ---------------------------------------------------------------- clauses and negation

# A lay query's clauses ("allergic to penicillin, no other allergies"; "took too many, but
# not on purpose"), each read on its own for what it denies.
CLAUSE_BREAK = re.compile(r"[,;.]|\bbut\b", re.IGNORECASE)
# Words that deny what follows them in their clause ("not trying to hurt herself", "denies
# wanting to ...", "no side effects from ...").
NEGATIONS = frozenset(
    """not no denies denied denying without never nor didn't didnt wasn't wasnt isn't isnt
    doesn't doesnt""".split()  # noqa: SIM905
)
NEGATION_WINDOW = 4


def clauses(text: str, breaks: re.Pattern[str] | None = CLAUSE_BREAK) -> list[str]:
    """The clauses of `text` split at `breaks` (None: the whole text is one clause)."""
    return [text] if breaks is None else breaks.split(text)


def stated_clauses(
    text: str, denial: re.Pattern[str], breaks: re.Pattern[str] | None = CLAUSE_BREAK
) -> list[str]:
    """The clauses of `text` in which the `denial` pattern does not occur."""
    return [clause for clause in clauses(text, breaks) if denial.search(clause) is None]


def affirmed(
    cue: re.Pattern[str],
    text: str,
    *,
    breaks: re.Pattern[str] = CLAUSE_BREAK,
    negations: frozenset[str] = NEGATIONS,
    window: int = NEGATION_WINDOW,
) -> bool:
    """Whether the `cue` occurs at least once with no negation word among the last
    `window` words of its clause before it."""
    for match in cue.finditer(text):
        clause = breaks.split(text[: match.start()])[-1]
        if not negations & set(clause.lower().split()[-window:]):
            return True
    return False

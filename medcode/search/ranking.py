"""Ranking words-and-meaning hits the way a coder reads a lay query.

1. Route: the query's kind (a condition, a procedure, a drug, a supply or device) weights
   the code sets: "left knee replacement" wants ICD-10-PCS, "lovenox shot" a HCPCS drug
   code, "swollen ankles" ICD-10-CM.
2. Demote what the query gives no cue for: quality-reporting G/M codes (MIPS measures),
   pregnancy (O), perinatal (P), complications of care (T80-T88), external causes (V-Y) and,
   unless poisoning or an adverse effect is asked for, the drug poisoning codes (T36-T50).
3. Resolve: a non-billable ICD-10-CM category or subcategory is shown as its billable default
   (the unspecified child; the initial encounter, 7th character A), with the category after
   it; encounter and sequela siblings collapse to one row.

A query that reads as an ICD-10-PCS procedure (procedures.pcs_words) is routed as one.

Every search (page, API, autocomplete, CasePilot's tools) goes through facade.search, which
calls `rerank`: one ranking everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from medcode.ops import generation
from medcode.ops.routers import reference_connection
from medcode.search.clinical_words import LAY_SOCIAL
from medcode.search.hcpcs_readings import hcpcs_fit, read_query
from medcode.search.laywords import BRAND_NAMES, EQUIPMENT
from medcode.search.querytext import STOP_WORDS, expand_synonyms

Kind = Literal["condition", "procedure", "drug", "supply", "device", "test", "medicare"]


def words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


PROCEDURE_WORDS = words_of(
    """surgery surgical removal remove removed replacement replaced repair repaired biopsy
    insertion insert inserted placement implant implantation transplant transplantation
    laparoscopic lap endoscopic endoscopy arthroscopic open resection excision drainage
    bypass fusion tied ligation tap puncture reduction amputation cardioversion intubation
    catheterization ventilation vent dialysis hemodialysis cpr d&c egd ercp cabg pci tka tha
    orif tkr thr
    procedure operation session stent graft"""
)
PROCEDURE_ENDINGS = (
    "ectomy",
    "otomy",
    "ostomy",
    "plasty",
    "scopy",
    "pexy",
    "rrhaphy",
    "centesis",
    "tripsy",
    "desis",
)
SUPPLY_WORDS = words_of(
    """wheelchair wheelchairs walker cane crutch crutches oxygen tank concentrator cpap bipap
    nebulizer catheter catheters cath brace collar orthosis orthotic prosthesis prosthetic bed
    mattress lift pump stockings stocking bag diapers diaper supplies supply machine cuff kit
    tubing chair bench bar scooter humidifier cannula bra wig ambulance ride van transport taxi
    monitor meter strips lancets dressing glucometer splint sling commode trapeze shoes insoles
    mask urinal urinals bedpan bedpans pole"""
)
# A query that names Medicare asks for a service or item Medicare pays under its own HCPCS
# Level II code (G0117 glaucoma screening for high risk patients, Q0091 obtaining a screening
# Pap smear, G0438 annual wellness visit), not the diagnosis or the CPT code.
MEDICARE_WORDS = words_of("medicare")
DRUG_WORDS = words_of("injection injections shot shots infusion iv im injectable vial")
# What is given through the IV when it is named without a brand ("chemo through a peripheral
# IV", "platelet transfusion through an IV"): the administration, a procedure
# (ICD-10-PCS Administration and Transfusion), not a drug code.
ADMINISTERED = words_of("transfusion transfused chemotherapy chemo")
# A CPT anesthesia code (00100-01999) answers a procedure's words only when anesthesia is
# asked for.
ANESTHESIA_CUES = words_of("anesthesia anaesthesia anesthetic anesthesiologist sedation")
# An implanted device named alone ("spinal cord stimulator", "has a pacemaker") is not a
# condition: the status code, the implant procedure and the device's HCPCS code all fit.
DEVICE_WORDS = words_of(
    """stimulator stimulators neurostimulator neurostimulators pacemaker pacemakers
    defibrillator defibrillators electrode electrodes"""
)
# A test or an imaging study named alone ("ecg", "complete blood count", "chest x-ray"): the
# finding's diagnosis and the test's procedure code both fit.
TEST_WORDS = words_of(
    """test tests testing lab labs panel count ecg ekg electrocardiogram x-ray xray ray ct mri
    scan ultrasound sonogram echocardiogram culture"""
)

# Cues that lift a demotion (the query asks for that chapter or code family).
PREGNANCY_CUES = words_of(
    """pregnant pregnancy gestation gestational trimester prenatal antepartum postpartum
    obstetric delivery labor labour puerperal puerperium weeks"""
)
PERINATAL_CUES = words_of("newborn neonatal neonate perinatal fetus fetal premature")
COMPLICATION_CUES = words_of(
    """complication complications postprocedural postoperative post-op postop following
    malfunction displacement leakage rejection failed transfusion"""
)
# Mechanisms as the ICD-10-CM External Cause Index's main terms name them (Slipping,
# Tripping, Hit/hitting by, Kicked by, Pushed, Shooting/shot, Scald, Overexertion, Lifting,
# Struck, Crushed, Caught, Jammed, Pinched, Fight, Brawl, Mauled, Run over, Knocked down ...)
# and their everyday past tenses.
EXTERNAL_CUES = words_of(
    """accident collision crash struck bitten bite fell fall falling drowning assault
    activity place occupant pedestrian cyclist slipped slipping slip tripped tripping
    stumbled hit hitting kicked pushed shoved stabbed shot shooting gunshot scald scalded
    scalding drowned lifting overexertion striking crushed caught jammed pinched bumped
    fight brawl attacked mauled pecked scratched gored knocked jumped assaulted"""
)
POISONING_CUES = words_of(
    "overdose poisoning poisoned toxicity toxic adverse reaction underdosing took"
)
# A fracture is traumatic unless the query says otherwise (the Index: "Fracture,
# traumatic" is the default; "Fracture, pathological" and "Fracture, stress" need the word):
# M80 and M84 (pathological, stress, disease, malunion/nonunion) need one of these.
NONTRAUMATIC_FRACTURE_CUES = words_of(
    """pathological pathologic stress fatigue march insufficiency fragility osteoporosis
    osteoporotic neoplastic tumor cancer metastatic disease malunion nonunion union delayed
    spontaneous"""
)
QUALITY_CUES = words_of("quality measure mips reporting documented documentation")
# A screening code (ICD-10-CM Z11-Z13 and Z36 "Encounter for screening ...", HCPCS G0101
# "Cervical or vaginal cancer screening ...", G0121 "Colorectal cancer screening ...") is
# asked for by one of these words; "cervical cancer" asks for the neoplasm (C53.9), and so
# does a cue after "not" or "no" ("colon cancer, not screening").
SCREENING_CUES = words_of(
    """screen screens screened screening screenings pap smear mammogram mammograms
    mammography colonoscopy sigmoidoscopy check checked checking checkup test tests tested
    testing psa exam examination routine preventive prevention risk"""
)
_SCREENING_TITLE = re.compile(r"\bscreening\b", re.IGNORECASE)
# A personal or family history code (Z80-Z87: "Personal history of colonic polyps") is asked
# for by one of these words (a query about the past or a relative, facade.is_past, says
# one); "colon polyps" asks for the polyps (K63.5).
# ("h/o" and "s/p" reach here as "h o" and "s p", read as history and status post by
# reading_words; "h" alone is no cue: "h pylori".)
HISTORY_CUES = words_of(
    """history hx h/o s/p status post previous previously prior past former had ago
    survivor remission family relative mom dad mother father brother sister sibling
    siblings parent parents grandmother grandfather grandma grandpa aunt uncle"""
)
_HISTORY_TITLE = re.compile(r"^(?:personal|family) history of\b", re.IGNORECASE)

SYSTEM_WEIGHTS: dict[Kind, dict[str, float]] = {
    # CPT is searched by our own plain-language titles, which name the condition treated:
    # for a condition query they sink further than the other procedure code sets.
    "condition": {"ICD10CM": 1.0, "HCPCS": 0.45, "ICD10PCS": 0.35, "CPT": 0.2},
    "device": {"ICD10CM": 1.0, "HCPCS": 0.45, "ICD10PCS": 0.35, "CPT": 0.45},
    "test": {"ICD10CM": 1.0, "HCPCS": 0.45, "ICD10PCS": 0.35, "CPT": 0.45},
    "procedure": {"ICD10PCS": 1.0, "CPT": 1.0, "HCPCS": 0.55, "ICD10CM": 0.35},
    # A drug named with its route ("iron infusion", "steroid shot"): the J/Q code before
    # the CPT administration, lab and allergy-shot codes that share its words.
    "drug": {"HCPCS": 1.0, "ICD10CM": 0.4, "ICD10PCS": 0.3, "CPT": 0.3},
    "supply": {"HCPCS": 1.0, "ICD10CM": 0.35, "ICD10PCS": 0.3, "CPT": 0.5},
    "medicare": {"HCPCS": 1.0, "CPT": 0.4, "ICD10CM": 0.35, "ICD10PCS": 0.3},
}
OTHER_SYSTEM = 0.3  # modifiers, places of service
DEMOTED = 0.25
# A hit at fused rank r (from 0) starts at 1 / (RANK_K + r): small enough that a demotion
# moves a code well down, large enough that the fused order still counts.
RANK_K = 8

# ICD-10-CM codes a query must ask for: pregnancy (O), perinatal (P), external causes (V-Y),
# complications of care (T80-T88), poisoning and adverse effects of drugs (T36-T50),
# pathological, stress and other nontraumatic fractures (M80, M84).
CHAPTER_CUES: tuple[tuple[Callable[[str], bool], frozenset[str]], ...] = (
    (lambda code: code.startswith("O"), PREGNANCY_CUES),
    (lambda code: code.startswith("P"), PERINATAL_CUES),
    (lambda code: code[:1] in ("V", "W", "X", "Y"), EXTERNAL_CUES),
    (lambda code: "T80" <= code[:3] <= "T88", COMPLICATION_CUES),
    (lambda code: "T36" <= code[:3] <= "T50", POISONING_CUES),
    (lambda code: code[:3] in ("M80", "M84"), NONTRAUMATIC_FRACTURE_CUES),
)
# Words of an ICD-10-PCS title every code of its kind has.
PCS_NEUTRAL = words_of("approach")
# Words of a title that do not make it more specific than the query.
NEUTRAL = words_of("unspecified without site type")
# Clauses of a title that state the default a coder takes when the query says nothing:
# "without obstruction or gangrene", "not intractable", "uncomplicated", "accidental
# (unintentional)" (the Table of Drugs' and External Cause Index's intent when none is
# stated, guideline I.C.19.e.5.b). They add nothing the query did not say.
_DEFAULT_CLAUSE = re.compile(
    r"\b(?:without|not|no)\b[^,;]*|\buncomplicated\b|\baccidental\b|\(?unintentional\)?"
    r"|\bexcludes biosimilar\b"
)
# Salt and ester words of drug names (HCPCS drug titles name the established name with its
# salt: "naloxone hydrochloride", "methylprednisolone sodium succinate").
SALTS = words_of(
    """hydrochloride hcl sodium potassium calcium sulfate acetate phosphate citrate succinate
    tartrate bitartrate mesylate maleate bromide chloride fumarate lactate gluconate"""
)
SALT_STEMS = frozenset(w[:5] for w in SALTS)  # STEM letters
# The side a query names, as ICD-10-CM and ICD-10-PCS titles spell it.
SIDES = {"right": "right", "left": "left", "both": "bilateral", "bilateral": "bilateral"}
# A code whose title does not name the side the query asked for ("unspecified ankle",
# "left" for "right") counts this much.
OTHER_SIDE = 0.8
# A pregnancy code whose title names another trimester than the one the query states or
# implies by its weeks, or "unspecified trimester", counts this much.
OTHER_TRIMESTER = 0.6
# A query about a past condition or procedure or a relative's ("hx prostate cancer",
# "s/p cholecystectomy", "dad had colon cancer"): the condition or procedure code itself
# counts this much, the history and status (Z) codes lead.
NOT_HISTORY = 0.5
# A terminated HCPCS code (not billable in the loaded release) counts this much: the code
# that replaced it leads, even when the current code's title carries MAX_EXTRA words the
# query did not say (J3031 "Injection, fremanezumab-vfrm, 1 mg (code may be used for
# medicare when drug administered under the direct supervision ...)" before C9040, ended
# 2019-09-30; the ANWEB file keeps ended codes for years).
TERMINATED = 0.2
STEM = 5
EXTRA_WORD = 0.88
# Of two ICD-10-PCS hits, each title word more than the best-fitting one's costs this much: a
# device or surface the query did not name ("Acetabular Surface", "Patellofemoral") weighs
# more than the fused rank of a lexical hit (search_lay_dev and lay_independent5).
PCS_EXTRA_WORD = 0.8
MISSING_WORD = 0.9
# The code sets whose titles are read for the query words they miss (missing_words).
WORDED = ("ICD10CM", "HCPCS")
MAX_EXTRA = 6
# Words of a quality-reporting descriptor. "Patient(s)" only opens one ("Patients with
# mechanical prosthetic heart valve", "Patient screened for tobacco use"): a service names
# the patient inside ("Glaucoma screening for high risk patients ...", G0117).
_QUALITY_WORDS = re.compile(
    r"^patients?\b|\b(?:documented|documentation|not performed|not assessed|reasons?"
    r"|measurement|ordered|denominator|numerator|mips|clinician|date of encounter"
    r"|episodes (?:where|when))\b",
    re.IGNORECASE,
)
_TITLE_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_QUALITY = re.compile(r"^(?:G8|G9|M1)\d{3}$")
_ENCOUNTER = re.compile(r", (?:initial|subsequent) encounter|, sequela$")
# A chapter 15 code's 7th character names the fetus (O32.1XX1 "..., fetus 1"); for a single
# gestation it is 0, "not applicable or unspecified" (the chapter 15 7th-character note):
# unless the query speaks of more than one fetus, those siblings collapse to the 0.
_FETUS = re.compile(r", (?:fetus \d+|other fetus)$")
MULTIPLE_GESTATION = words_of(
    "twin twins triplet triplets quadruplet quadruplets fetus fetuses multiple"
)
# The 7th character a query asks for (injuries, poisonings): a follow-up visit for a healing
# injury is a subsequent encounter (D), a late effect a sequela (S); else the initial (A).
_SUBSEQUENT = re.compile(
    r"\b(?:f u|follow ?ups?|followup|subsequent|(?<!non )(?<!delayed )healing|recheck|aftercare)\b",
    re.IGNORECASE,
)
_SEQUELA = re.compile(r"\b(?:sequela|sequelae|late effects?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Doc:
    id: int
    system: str
    code: str
    is_billable: bool
    level: str
    parent: str
    title: str


# Every brand name as one pattern, the longest first ("haldol decanoate" before "haldol"),
# spelled as a parsed query's words are (a hyphen splits words: "solu-medrol" is read
# "solu medrol").
_BRAND_KEYS = {brand.replace("-", " "): brand for brand in BRAND_NAMES}
_BRANDS = re.compile(
    r"\b(?:" + "|".join(re.escape(b) for b in sorted(_BRAND_KEYS, key=len, reverse=True)) + r")\b"
)


# Everyday names of home equipment ("heating pad", "tens unit"), laywords.EQUIPMENT.
_EQUIPMENT = re.compile(r"\b(?:" + "|".join(re.escape(e) for e in EQUIPMENT) + r")\b")


# A social need or an encounter reason said in everyday words ("no ride to appointments",
# "dressing change") is a Z code, whatever supply word it holds (clinical_words.LAY_SOCIAL;
# its phrases, not a lone word such as "refill", which a pump may take).
_SOCIAL = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in LAY_SOCIAL if " " in p) + r")\b")
# A drug given to induce labor ("pitocin to induce labor", "pitocin drip to start labor",
# "labor induced with an oxytocin drip"): its administration, a procedure.
_INDUCED_LABOR = re.compile(
    r"\b(?:induc\w*|start(?:s|ed|ing)?)\b.*\blabou?r\b|\blabou?r\b.*\binduc\w*"
)
_PLACED = re.compile(r"\b(?:put (?:a|an|in)|placed|inserted|insertion)\b")


def query_kind(words: Sequence[str]) -> Kind:
    """What the query asks for, from its words (a condition unless a word says otherwise)."""
    lowered = [w.lower() for w in words]
    joined = " ".join(lowered)
    # "rotator cuff" is a body part, not a blood pressure cuff.
    lowered = [
        w for i, w in enumerate(lowered) if not (w == "cuff" and i and lowered[i - 1] == "rotator")
    ]
    if set(lowered) & POISONING_CUES or _SOCIAL.search(joined):
        return "condition"
    if set(lowered) & MEDICARE_WORDS:
        return "medicare"
    brand = _BRANDS.search(joined.replace("-", " ")) is not None
    if any(w in DRUG_WORDS for w in lowered) or brand:
        if _INDUCED_LABOR.search(joined):
            return "procedure"  # the drug's administration (ICD-10-PCS 3E0), whatever brand
        return "procedure" if set(lowered) & ADMINISTERED and not brand else "drug"
    if any(w in SUPPLY_WORDS for w in lowered) or _EQUIPMENT.search(joined):
        # "put a catheter in her bladder", "feeding tube placed": the placing is the procedure.
        return "procedure" if _PLACED.search(joined) else "supply"
    if any(w in PROCEDURE_WORDS or w.endswith(PROCEDURE_ENDINGS) for w in lowered):
        return "procedure"
    if set(lowered) & DEVICE_WORDS:
        return "device"
    if set(lowered) & TEST_WORDS:
        return "test"
    return "condition"


# A HCPCS descriptor that names the brand the query names ("buprenorphine extended-release
# (sublocade)") fits it better than the generic's other codes.
BRAND_IN_TITLE = 2.0


def brand_names(words: Sequence[str]) -> list[str]:
    """The brand names (laywords.BRAND_NAMES keys) the query names."""
    joined = " ".join(w.lower() for w in words).replace("-", " ")
    return [_BRAND_KEYS[m.group(0)] for m in _BRANDS.finditer(joined)]


def names_brand(title: str, brands: Sequence[str]) -> bool:
    """Whether a title names one of `brands` (spelled with spaces for hyphens)."""
    lowered = title.lower().replace("-", " ")
    return any(re.search(rf"\b{re.escape(b)}\b", lowered) for b in brands)


def brand_generics(words: Sequence[str]) -> list[str]:
    """The established (generic) names of the brand drug names in the query, each name's
    alternatives in laywords.BRAND_NAMES order ("toradol" -> "ketorolac tromethamine",
    "ketorolac")."""
    joined = " ".join(w.lower() for w in words)
    named = {_BRAND_KEYS[m.group(0)] for m in _BRANDS.finditer(joined.replace("-", " "))}
    out: list[str] = []
    for brand, generics in BRAND_NAMES.items():
        if brand in named:
            out.extend(g for g in generics if g not in out)
    return out


def weight(doc: Doc, kind: Kind, words: frozenset[str], *, asked: bool = False) -> float:
    """How much a hit of this code counts for a query of this kind with these words
    (`asked`: the query's own words led an Index table to it, so no chapter demotion)."""
    w = SYSTEM_WEIGHTS[kind].get(doc.system, OTHER_SYSTEM)
    if asked:
        return w
    code = doc.code
    if unasked_quality(doc.system, code, doc.title, words):
        w *= DEMOTED
    if doc.system == "HCPCS" and not doc.is_billable:
        w *= TERMINATED
    if is_anesthesia(doc.system, code) and not words & ANESTHESIA_CUES:
        w *= DEMOTED
    if is_screening(doc) and not words & SCREENING_CUES:
        w *= DEMOTED
    if is_history(doc) and not words & HISTORY_CUES:
        w *= DEMOTED
    if doc.system == "ICD10CM" and any(
        applies(code) and not words & cues for applies, cues in CHAPTER_CUES
    ):
        w *= DEMOTED
    return w


def is_screening(doc: Doc) -> bool:
    """A screening code: its title says screening (ICD-10-CM, HCPCS, CPT; an ICD-10-PCS
    title never does)."""
    return doc.system != "ICD10PCS" and _SCREENING_TITLE.search(doc.title) is not None


def is_history(doc: Doc) -> bool:
    """A personal or family history code (its ICD-10-CM title says so)."""
    return doc.system == "ICD10CM" and _HISTORY_TITLE.search(doc.title) is not None


def asked_words(words: Sequence[str]) -> frozenset[str]:
    """The query's words (lower case), a screening cue after "not" or "no" left out
    ("breast cancer, not a screening": the neoplasm)."""
    lowered = [w.lower() for w in words]
    negated = {
        w
        for i, w in enumerate(lowered)
        if w in SCREENING_CUES
        and any(v in ("not", "no", "non") for v in lowered[max(0, i - 2) : i])
    }
    return frozenset(lowered) - negated


def is_anesthesia(system: str, code: str) -> bool:
    """A CPT anesthesia code (00100-01999)."""
    return system == "CPT" and code.isdigit() and code < "02000"


def reading_words(words: Sequence[str]) -> frozenset[str]:
    """The words of the query's lay readings (querytext.expand_synonyms), its own left out."""
    return frozenset(w for group in expand_synonyms(list(words)) for alt in group[1:] for w in alt)


def query_stems(words: Sequence[str]) -> frozenset[str]:
    """The first letters of every word of the query and of its lay expansions."""
    found = {w[:STEM] for group in expand_synonyms(list(words)) for alt in group for w in alt}
    return frozenset(found)


def specificity(doc: Doc, stems: frozenset[str], *, drug: bool = False) -> float:
    """Lay queries say little, so the code that adds least to them fits best: each word of an
    ICD-10-CM title that the query did not say costs a little ("Depression, unspecified"
    before "Other specified depressive episodes" for "depression"). For a drug query
    (`drug`) HCPCS titles count too, their salt words only when the query names a salt
    ("narcan shot": naloxone hydrochloride NOS before the oral form and the branded one;
    "solu-medrol": the sodium succinate, not the acetate)."""
    if doc.system != "ICD10CM" and not (drug and doc.system == "HCPCS"):
        return 1.0
    neutral = NEUTRAL
    if doc.system == "HCPCS" and not stems & SALT_STEMS:
        neutral = NEUTRAL | SALTS
    title = _DEFAULT_CLAUSE.sub(" ", _ENCOUNTER.sub("", doc.title.lower()))
    extra = sum(
        1
        for word in _TITLE_WORD.findall(title)
        if word not in STOP_WORDS and word not in neutral and word[:STEM] not in stems
    )
    return float(EXTRA_WORD ** min(extra, MAX_EXTRA))


def is_not_history(doc: Doc, lead: set[int] | frozenset[int]) -> bool:
    """For a query about the past: a diagnosis or procedure code that is not among the
    history and status codes found (`lead`), or, when none were, not a Z code."""
    if doc.system not in ("ICD10CM", "ICD10PCS"):
        return False
    if lead:
        return doc.id not in lead
    return not (doc.system == "ICD10CM" and doc.code.startswith("Z"))


def query_encounter(words: Sequence[str]) -> str:
    """The 7th character the query asks for: D (subsequent encounter: "f/u visit, healing
    fracture"), S (sequela) or A (initial encounter, the default)."""
    joined = " ".join(w.lower() for w in words).replace("-", " ")
    if _SEQUELA.search(joined):
        return "S"
    if _SUBSEQUENT.search(joined):
        return "D"
    return "A"


# A number of weeks, unless it is how long something has lasted ("cough for 3 weeks").
_WEEKS = re.compile(r"\b(?<!for )(?<!past )(?<!last )(\d{1,2})\s*(?:weeks?|wks?)\b")
_ORDINAL_TRIMESTER = re.compile(r"\b(1st|2nd|3rd|first|second|third)\s+trimester\b")
_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third"}
# Words of a query that only says how far along a pregnancy is ("34 weeks pregnant").
GESTATION_WORDS = words_of("weeks week wks wk gestation gestational along how far pregnant")


def query_trimester(words: Sequence[str]) -> str | None:
    """The trimester a pregnancy query names or implies, as ICD-10-CM titles spell it:
    "1st trimester" -> "first trimester"; "34 weeks pregnant" -> "third trimester" (the
    chapter 15 note: first trimester less than 14 weeks 0 days, second 14 weeks 0 days to
    less than 28 weeks 0 days, third 28 weeks 0 days until delivery)."""
    lowered = [w.lower() for w in words]
    if not set(lowered) & (PREGNANCY_CUES - {"weeks"}) and "trimester" not in lowered:
        return None
    joined = " ".join(lowered)
    named = _ORDINAL_TRIMESTER.search(joined)
    if named:
        return f"{_ORDINALS.get(named.group(1), named.group(1))} trimester"
    weeks = _WEEKS.search(joined)
    if weeks is None or not 1 <= int(weeks.group(1)) <= 45:
        return None
    n = int(weeks.group(1))
    return "first trimester" if n < 14 else "second trimester" if n < 28 else "third trimester"


def trimester_fit(doc: Doc, trimester: str | None) -> float:
    """A pregnancy code whose title names another trimester (or none of them, "unspecified
    trimester") than the query's counts OTHER_TRIMESTER."""
    if trimester is None or doc.system != "ICD10CM" or not doc.code.startswith("O"):
        return 1.0
    title = doc.title.lower()
    if "trimester" not in title:
        return 1.0
    return 1.0 if trimester in title else OTHER_TRIMESTER


def is_weeks_only(doc: Doc, words: frozenset[str]) -> bool:
    """A weeks-of-gestation (Z3A, an additional code) or incidental pregnant state (Z33.1)
    code for a query that names something besides the pregnancy and its weeks
    ("preeclampsia at 34 weeks"): the condition leads."""
    if doc.system != "ICD10CM" or not (doc.code.startswith("Z3A") or doc.code == "Z331"):
        return False
    other = {
        w
        for w in words
        if not w.isdigit() and w not in STOP_WORDS and w not in GESTATION_WORDS | PREGNANCY_CUES
    }
    return bool(other)


def query_side(words: Sequence[str]) -> str | None:
    """The side the query names ("right", "left", "bilateral" for both), or None."""
    found = {SIDES[w.lower()] for w in words if w.lower() in SIDES}
    return found.pop() if len(found) == 1 else None


def side_fit(doc: Doc, side: str | None) -> float:
    """A diagnosis or procedure code whose title does not name the side asked for counts
    OTHER_SIDE ("sprained my left ankle": "left ankle" before "unspecified ankle")."""
    if side is None or doc.system not in ("ICD10CM", "ICD10PCS"):
        return 1.0
    return 1.0 if re.search(rf"\b{side}\b", doc.title.lower()) else OTHER_SIDE


def query_groups(words: Sequence[str]) -> tuple[tuple[frozenset[str], ...], ...]:
    """The query's content words, each as the stem sets of its alternatives (the word and
    its lay expansions); words of fewer than three letters and side words left out."""
    content = [w.lower() for w in words if w.lower() not in STOP_WORDS]
    groups = []
    for group in expand_synonyms(content):
        alternatives = tuple(frozenset(w[:STEM] for w in alt if len(w) >= 3) for alt in group)
        if all(alternatives) and not any(w in SIDES for alt in group for w in alt):
            groups.append(alternatives)
    return tuple(groups)


def missing_words(doc: Doc, said: tuple[tuple[frozenset[str], ...], ...]) -> int:
    """How many of the query's words (or their lay expansions) a title does not say. Of two
    ICD-10-CM codes that add as little, the one that says more of the query fits better:
    each word more than the best-covering ICD-10-CM hit lacks costs MISSING_WORD ("COPD
    exac": J44.1 "... with (acute) exacerbation" before J44.9)."""
    title = {w[:STEM] for w in _TITLE_WORD.findall(doc.title.lower())}
    return sum(1 for group in said if not any(alt <= title for alt in group))


def pcs_extra(docs: dict[int, Doc], words: Sequence[str]) -> dict[int, int]:
    """For each ICD-10-PCS hit, how many words of its title neither the query nor its reading
    in ICD-10-PCS words (procedures.pcs_words) says, the approach's own word left out. Of two
    procedure codes, the one that adds least to the query fits best ("cataract surgery right
    eye with lens implant": the synthetic substitute before the one that adds "intraocular
    telescope"); the count is compared between PCS hits only."""
    from medcode.search.procedures import pcs_words

    found = {d: doc for d, doc in docs.items() if doc.system == "ICD10PCS"}
    if not found:
        return {}
    said = query_stems(words) | {w[:STEM] for w in pcs_words(list(words))}
    out = {}
    for doc_id, doc in found.items():
        title = _TITLE_WORD.findall(doc.title.lower())
        out[doc_id] = sum(
            1
            for word in title
            if word not in STOP_WORDS and word not in PCS_NEUTRAL and word[:STEM] not in said
        )
    return out


# A procedure query's best ICD-10-PCS code whose title says every word of its PCS reading is
# shown at this rank (from 0) or better: a coder searching a procedure in plain words may
# want the CPT code or the PCS code, so both get a place in the top 3.
PCS_SLOT = 2


def pcs_in_top(
    scored: list[tuple[int, float]],
    docs: dict[int, Doc],
    words: Sequence[str],
    *,
    vocabulary: frozenset[str] | None = None,
) -> list[tuple[int, float]]:
    """`scored` with its first fully matching PCS code moved up to PCS_SLOT (its score
    raised to the one it passes), when it is lower; when no PCS title says every word of
    the reading, the first that lacks one word (a word no title has: "arthroscopic rotator
    cuff repair" reads "cuff"); unchanged otherwise."""
    from medcode.search.procedures import pcs_words, title_words

    reading = set(pcs_words(list(words), vocabulary=vocabulary))
    if not reading or len(scored) <= PCS_SLOT:
        return scored
    best: int | None = None
    for i, (doc_id, _) in enumerate(scored):
        doc = docs.get(doc_id)
        if doc is None or doc.system != "ICD10PCS":
            continue
        lacking = len(reading - title_words(doc.title))
        if lacking == 0:
            best = i
            break
        if lacking == 1 and len(reading) > 2 and best is None:
            best = i
    if best is None or best <= PCS_SLOT:
        return scored
    moved = (scored[best][0], scored[PCS_SLOT][1])
    return [*scored[:PCS_SLOT], moved, *scored[PCS_SLOT:best], *scored[best + 1 :]]


def is_quality_code(code: str, title: str) -> bool:
    """A quality-reporting code (MIPS measures: G8xxx, G9xxx, M1xxx, and the G/M codes whose
    descriptors report on patients, documentation or a measurement period)."""
    return bool(_QUALITY.match(code)) or (
        code[:1] in ("G", "M") and _QUALITY_WORDS.search(title) is not None
    )


def unasked_quality(system: str, code: str, title: str, words: Iterable[str]) -> bool:
    """A quality-reporting HCPCS code (is_quality_code) for a query (`words`, any case) that
    does not ask for quality reporting: it ranks below the plain service or condition."""
    return (
        system == "HCPCS"
        and is_quality_code(code, title)
        and not {w.lower() for w in words} & QUALITY_CUES
    )


def documents(ids: Sequence[int]) -> dict[int, Doc]:
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with reference_connection().cursor() as cursor:
        cursor.execute(
            "SELECT id, system, code, is_billable, level, parent, title FROM search_document"
            f" WHERE id IN ({marks})",
            list(ids),
        )
        return {row[0]: Doc(row[0], row[1], row[2], bool(row[3]), *row[4:]) for row in cursor}


def rerank(
    ranked: Sequence[tuple[int, float]],
    words: Sequence[str],
    *,
    billable: bool | None = None,
    kind: Kind | None = None,
    past: bool = False,
    lead: set[int] | frozenset[int] = frozenset(),
    asked: frozenset[int] = frozenset(),
) -> list[tuple[int, float, int]]:
    """The fused hits (best first) re-scored by route and demotions, categories resolved to
    their billable default: (document id, score, id of the hit it came from). Scores are
    comparable within one query only. `past`: the query speaks of a past condition or
    procedure or of a relative's (facade.is_past); `lead`: the history and status codes the
    Index gives for it. Other diagnosis and procedure codes count NOT_HISTORY (when the
    Index gave none, every Z code leads). `asked`: codes an Index table gave for what the
    query says (the Table of Drugs' column), never demoted as unasked."""
    if not ranked:
        return []
    docs = documents([d for d, _ in ranked])
    # The query's words and their lay readings ("after giving birth": postpartum) ask for
    # a chapter alike.
    lowered = asked_words(words) | reading_words(words)
    kind = kind or query_kind(words)
    stems = query_stems(words)
    brands = [b.replace("-", " ") for b in brand_names(words)]
    hcpcs = read_query(words)
    side = query_side(words)
    trimester = query_trimester(words)
    if trimester:
        stems |= {w[:STEM] for w in trimester.split()}
    said = query_groups(words)
    # Query words a title does not say, against the title of its code set that misses fewest.
    unsaid = {d: missing_words(doc, said) for d, doc in docs.items() if doc.system in WORDED}
    least = {
        s: min((n for d, n in unsaid.items() if docs[d].system == s), default=0) for s in WORDED
    }
    pcs = pcs_extra(docs, words)
    pcs_least = min(pcs.values(), default=0)
    scored: list[tuple[int, float]] = []
    for rank, (doc_id, _) in enumerate(ranked):
        doc = docs.get(doc_id)
        factor = 1.0
        if doc:
            fit = specificity(doc, stems, drug=kind == "drug") * side_fit(doc, side)
            if brands and doc.system == "HCPCS" and names_brand(doc.title, brands):
                fit *= BRAND_IN_TITLE
            if doc.system == "HCPCS":
                fit *= hcpcs_fit(doc.code, doc.title, hcpcs, drug=kind == "drug")
            fit *= trimester_fit(doc, trimester)
            if is_weeks_only(doc, lowered):
                fit *= DEMOTED
            if doc_id in unsaid:
                fit *= MISSING_WORD ** min(unsaid[doc_id] - least[doc.system], MAX_EXTRA)
            if doc_id in pcs:
                fit *= PCS_EXTRA_WORD ** min(pcs[doc_id] - pcs_least, MAX_EXTRA)
            if doc_id in asked:
                # Its title names the Table's drug class ("other opioids"), which nobody
                # says: the words it adds cost nothing.
                fit = side_fit(doc, side)
            factor = weight(doc, kind, lowered, asked=doc_id in asked) * fit
            if past and is_not_history(doc, lead):
                factor *= NOT_HISTORY
        scored.append((doc_id, factor / (RANK_K + rank)))
    scored.sort(key=lambda item: -item[1])
    if kind == "procedure":
        scored = pcs_in_top(scored, docs, words)
    if billable is False:
        return [(d, s, d) for d, s in scored]
    return resolve(
        scored,
        docs,
        side=side or trimester,
        encounter=query_encounter(words),
        fetus=bool(lowered & MULTIPLE_GESTATION),
    )


def resolve(
    scored: list[tuple[int, float]],
    docs: dict[int, Doc],
    *,
    side: str | None = None,
    encounter: str = "A",
    fetus: bool = False,
) -> list[tuple[int, float, int]]:
    """Non-billable ICD-10-CM hits become their billable default (the category follows it;
    of the side the query names, if it names one); of encounter/sequela siblings only the
    first stays, as the encounter the query asks for (`encounter`: A, D or S); of a
    chapter 15 code's fetus siblings only the first stays, as fetus 0 (single gestation)
    unless `fetus` (the query names more than one fetus)."""
    out: list[tuple[int, float, int]] = []
    seen: set[int] = set()
    later: list[tuple[int, tuple[int, float, int]]] = []  # (position to insert at, item)
    families: set[str] = set()
    for doc_id, score in scored:
        doc = docs.get(doc_id)
        if doc is None or doc.system != "ICD10CM":
            if doc_id not in seen:
                out.append((doc_id, score, doc_id))
                seen.add(doc_id)
            continue
        target = doc_id
        if not doc.is_billable:
            found = billable_default(doc.code, generation.current().token, side, encounter)
            if found is not None:
                target = found[0]
                later.append((len(out) + 2, (doc_id, score, doc_id)))
        elif len(doc.code) == 7 and _ENCOUNTER.search(doc.title):
            if doc.code[:6] in families:
                continue
            stem = doc.code[:6].rstrip("X")
            found = billable_default(stem, generation.current().token, side, encounter)
            if found is not None:
                target = found[0]
        elif len(doc.code) == 7 and not fetus and _FETUS.search(doc.title):
            if doc.code[:6] in families:
                continue
            found = billable_default(doc.code[:6], generation.current().token, side, encounter)
            if found is not None:
                target = found[0]
        family = doc.code[:6] if len(doc.code) == 7 else doc.code
        families.add(family)
        if target not in seen:
            out.append((target, score, doc_id))
            seen.add(target)
    for position, item in later:
        if item[0] not in seen:
            out.insert(min(position, len(out)), item)
            seen.add(item[0])
    return out


@lru_cache(maxsize=8192)
def billable_default(
    code: str, token: str, side: str | None = None, encounter: str = "A"
) -> tuple[int, str] | None:
    """The billable code a coder lands on from `code` when nothing more is said: among its
    billable descendants, the side named (`side`: "right", "left", "bilateral") when the
    family has it, then an "unspecified" title, the shortest code, a final 9 (ICD-10-CM's
    unspecified place), the encounter asked for (7th character `encounter`, A unless the
    query says follow-up or sequela). `token` (the data generation) keys the cache."""
    del token
    upper = code + "\uffff"
    with reference_connection().cursor() as cursor:
        cursor.execute(
            "SELECT id, code, title FROM search_document WHERE system = %s AND code > %s"
            " AND code < %s AND is_billable = %s AND is_current = %s",
            ["ICD10CM", code, upper, True, True],
        )
        rows = cursor.fetchall()
    if not rows:
        return None

    def key(row: tuple[int, str, str]) -> tuple[bool, bool, bool, int, bool, str]:
        _, child, title = row
        seventh = len(child) == 7 and _ENCOUNTER.search(title) is not None
        stem = child[:6].rstrip("X") if seventh else child
        lowered = _ENCOUNTER.sub("", title.lower())
        return (
            seventh and not child.endswith(encounter),
            side is not None and re.search(rf"\b{side}\b", lowered) is None,
            "unspecified" not in lowered,
            len(stem),
            not stem.endswith("9"),
            child,
        )

    best = min(rows, key=key)
    return best[0], best[1]

"""More readings of a lay query in the Alphabetic Index's words, for what people say in a
sentence rather than in a word: a pregnancy or a newborn, a cancer that has spread, a fear of
something, an eye abbreviation beside its side. Each function returns extra readings of the
query (the Index reads each one; facade.index_codes), [] when the query says none of it.

The Index paths they lead to (FY2025 Index):
- Hypertension, complicating, pregnancy O16.-; Pregnancy, complicated by, anemia O99.01-,
  diabetes O24.91- ...: a condition in a pregnant patient is read under those.
- Hypoglycemia, neonatal P70.4; Jaundice, neonatal ...: a newborn's condition is read with
  the Index's "neonatal" and "newborn" subterms.
- Preterm, newborn (infant), gestational age, N completed weeks P07.31-P07.39 (28-36 weeks);
  Immaturity, extreme of newborn, gestational age, N completed weeks P07.21-P07.26 (under
  28 weeks).
- Neoplasm Table: "<primary> cancer spread to <site>" is the site's secondary column and the
  primary's malignant column; "not cancer" is the benign column.
- Fear of: see Phobia; Phobia, specific (isolated), animal F40.218 (spiders F40.210),
  situational (heights F40.241, flying F40.243, bridges F40.242, closed in spaces F40.240),
  natural environment (thunderstorms F40.220), blood F40.230, injection F40.231; social
  F40.10.
"""

from __future__ import annotations

import re

from medcode.search.querytext import stated_clauses

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Words that say the patient is pregnant or has just given birth (their lay phrases are read
# first: clinical_words.LAY_MATERNITY), and words that say the patient is a newborn.
PREGNANT = frozenset(
    ["pregnant", "pregnancy", "gestation", "gestational", "trimester", "prenatal", "antepartum"]
)
PUERPERAL = frozenset(["postpartum", "puerperal", "puerperium", "lactation"])
NEWBORN = frozenset(["newborn", "neonatal", "neonate", "preemie", "preterm"])
# "Preterm" said of the mother's labor, contractions or waters (Labor, preterm O60.-;
# Pregnancy, complicated by, premature rupture of membranes O42.-) is no newborn.
_MOTHERS_PRETERM = frozenset(
    [
        "labor",
        "labour",
        "contractions",
        "delivery",
        "rupture",
        "membranes",
        "water",
        "breech",
        "fetus",
        "fetal",
        *PREGNANT,
    ]
)

_NOT_PREGNANT = re.compile(
    r"\b(?:not|get|getting|become|becoming|trying|want|wants)\s+(?:to\s+)?(?:get\s+)?pregnant\b"
)
# "born at 32 weeks", "baby born premature at 31 wks", "32 weeker", "preemie, 30 weeks".
# (Not an age: "10 weeks old"; from 20 weeks: the Index's fewest weeks are Immaturity,
# extreme, of newborn, gestational age, less than 23 completed weeks P07.21.)
_VIABLE = 20
_WEEKS_OLD = re.compile(r"\b(\d{2})\s*-?\s*(?:weeks?|wks?|weekers?)\b(?!\s*(?:old|of age))")
_BORN = re.compile(
    r"\b(?:born|baby|babies|infant|newborn|neonate|preemie|premature|preterm|weekers?)\b"
)

# "colon cancer spread to the liver", "breast cancer that has gone to the bones", "mets in
# the lungs", "metastasis to the spine", "secondaries in the liver".
_SPREAD = re.compile(
    r"(?:\b(?:spread|spreading|spreads|gone|went|moved|metastasi[sz]ed|mets|metastas[ie]s"
    r"|secondaries|seeded|seeding|(?:metastatic|secondary)(?:\s+(?:cancer|malignancy"
    r"|tumou?rs?|neoplasms?|carcinoma|disease|lesions?|deposits?))?)"
    r"\s+(?:(?:in)?to|in|within|throughout|of|involving)\s+"
    # "metastatic lung cancer to the brain": "to", never "in" or "of" (the primary's site)
    r"|\b(?:cancers?|ca|carcinoma|malignancy|tumou?rs?)\s+(?:in)?to\s+"
    r")(?:the\s+|my\s+|his\s+|her\s+|their\s+|both\s+)?(?P<site>[a-z ]+?)"
    r"(?=\s+from\b|[,;.]|$)"
)
# The site said before the word that names the spread: "liver mets", "bone metastases",
# "peritoneal carcinomatosis" (Index: Carcinomatosis, peritonei C78.6, the peritoneum's
# secondary column), "lung secondaries".
_SPREAD_NOUNS = frozenset(
    ["mets", "metastasis", "metastases", "secondaries", "carcinomatosis", "metastatic"]
)
# ... and between "secondary"/"metastatic" and a cancer word: "secondary bone cancer",
# "metastatic liver lesions".
# ("metastatic breast cancer" is a breast cancer that has spread: its site is the primary.)
_SECONDARY_WORDS = frozenset(["secondary", "metastatic"])
_CANCER_NOUNS = frozenset(
    """cancer cancers tumor tumors tumour tumours lesion lesions deposit deposits disease
    malignancy carcinoma""".split()  # noqa: SIM905
)
_METASTATIC_NOUNS = frozenset("lesion lesions deposit deposits disease".split())  # noqa: SIM905
# Words that end a site read backwards from the spread word.
_SITE_BREAK = frozenset(
    """with and has have had of to in from is are was the a an my his her their now new
    known multiple widespread diffuse extensive""".split()  # noqa: SIM905
)
_SITE_WORDS = 3
# ... said of a cancer: "went to the ER with chest pain" has spread nowhere.
_CANCER = re.compile(
    r"\b(?:cancers?|tumou?rs?|carcinoma|malignan\w*|neoplasm|lymphoma|melanoma|sarcoma|mets"
    r"|metasta\w*|leuka?emia|myeloma|carcinomatosis|secondaries|ca)\b"
)
_NOT_CANCER = re.compile(
    r"\b(?:not|non|no)[ -]?(?:cancer|cancerous|malignant|malignancy)\b|\bnoncancerous\b"
)

# Phobia, phobic: the subterm path a feared object is read under.
_ANIMALS = frozenset(
    """dog dogs cat cats snake snakes mouse mice rat rats bird birds insect insects bug bugs
    bee bees horse horses worm worms frog frogs animal animals""".split()  # noqa: SIM905
)
PHOBIA_OBJECTS: dict[str, str] = {
    **dict.fromkeys(_ANIMALS, "specific animal"),
    "spider": "specific animal spiders",
    "spiders": "specific animal spiders",
    "heights": "specific situational heights",
    "flying": "specific situational flying",
    "planes": "specific situational flying",
    "airplanes": "specific situational flying",
    "bridges": "specific situational bridges",
    # No Index subterm for elevators: Phobia, specific, situational F40.248.
    "elevators": "specific situational",
    "enclosed": "specific situational closed in spaces",
    "confined": "specific situational closed in spaces",
    "storms": "specific natural environment thunderstorms",
    "thunder": "specific natural environment thunderstorms",
    "thunderstorms": "specific natural environment thunderstorms",
    "people": "social",
    "social": "social",
    "blood": "specific blood",
    "needles": "specific injection",
    "injections": "specific injection",
    "shots": "specific injection",
}
_FEAR = frozenset(
    ["afraid", "scared", "fear", "fears", "terrified", "frightened", "phobia", "phobic"]
)


# An allergy stated as a standing fact ("allergic to sulfa", "penicillin allergy") is an
# allergy status (Z88, Z91.0-), which the Index files under History, personal (of), allergy
# (to) (FY2025): penicillin Z88.0, antibiotic agent NEC Z88.1, sulfonamides Z88.2,
# anti-infective agent NEC Z88.3, anesthetic Z88.4, narcotic agent NEC Z88.5, analgesic
# agent NEC Z88.6, serum and vaccine Z88.7, contrast media Z91.041, latex Z91.040, insect,
# bee Z91.030, food: peanuts Z91.010, milk products Z91.011, eggs Z91.012, seafood Z91.013,
# beef, pork, lamb Z91.014. Everyday names of those agents -> the Index's subterm words.
ALLERGY_AGENTS: dict[str, str] = {
    "penicillin": "penicillin",
    "penicillins": "penicillin",
    "pcn": "penicillin",
    "sulfa": "sulfonamides",
    "sulfas": "sulfonamides",
    "sulfonamide": "sulfonamides",
    "sulfonamides": "sulfonamides",
    "antibiotic": "antibiotic agent",
    "antibiotics": "antibiotic agent",
    "anesthesia": "anesthetic",
    "anesthetic": "anesthetic",
    "anesthetics": "anesthetic",
    "narcotic": "narcotic agent",
    "narcotics": "narcotic agent",
    "analgesic": "analgesic agent",
    "analgesics": "analgesic agent",
    "vaccine": "vaccine",
    "vaccines": "vaccine",
    "serum": "serum",
    # "contrast", not "dye" alone: hair and food dyes are no contrast media (Z91.041).
    "contrast": "contrast media",
    "latex": "latex",
    "bee": "insect bee",
    "bees": "insect bee",
    "insect": "insect",
    "insects": "insect",
    "peanut": "food peanuts",
    "peanuts": "food peanuts",
    "milk": "food milk products",
    "dairy": "food milk products",
    "egg": "food eggs",
    "eggs": "food eggs",
    "seafood": "food seafood",
    "shellfish": "food seafood",
    "fish": "food seafood",
    "beef": "food beef",
    "pork": "food pork",
    "lamb": "food lamb",
}
# "allergic to sulfa", "allergy to latex", "sulfa allergy", "allergies: penicillin, sulfa".
_ALLERGY = re.compile(r"\b(?:allergic|allergy|allergies)\b")
# A reaction happening now is the reaction (Allergy, drug ... correct substance properly
# administered: see Table of Drugs, adverse effect), not a status.
_REACTING = re.compile(
    r"\b(?:reaction|reacted|rash|hives|swelling|swollen|anaphyla\w*|shock|itching|itchy"
    r"|broke out|breaking out|wheez\w*|after (?:taking|eating|getting)|ate|took|given)\b"
)


# An allergy denied ("no known drug allergies", "not allergic to penicillin", "denies
# allergy to sulfa", "penicillin allergy: none") is no allergy status: ICD-10-CM has no code
# for it, and Z88.- would say the opposite.
_NO_ALLERGY = re.compile(
    r"\b(?:no|not|non|denies|denied|deny|without|never|nkda|nka)\b(?:\W+\w+){0,3}?\W+allerg"
    r"|\ballerg\w*\W+(?:\w+\W+){0,2}?(?:denied|none)\b|\b(?:nkda|nka)\b"
)


# The clauses of a query, each read on its own for a denied allergy ("allergic to
# penicillin, no other allergies" states the penicillin allergy): querytext.stated_clauses.


def _stated_clauses(low: str) -> list[str]:
    """The clauses of `low` that do not deny an allergy."""
    return stated_clauses(low, _NO_ALLERGY)


def is_allergy_status(text: str) -> bool:
    """Whether the query states an allergy as a standing fact ("allergic to codeine"), not
    a reaction happening now ("hives after taking amoxicillin") nor only an allergy denied
    ("no known drug allergies")."""
    low = text.lower()
    return _REACTING.search(low) is None and any(
        _ALLERGY.search(c) is not None for c in _stated_clauses(low)
    )


def allergy_readings(text: str) -> list[str]:
    """ "allergic to sulfa" -> "history personal allergy sulfonamides" (Z88.2): an allergy
    the query states as a standing fact, for an agent the Index names under History,
    personal, allergy; [] for a reaction happening now or an agent it does not name. An agent
    of a clause that denies an allergy is left out ("no sulfa allergy")."""
    low = text.lower()
    if not is_allergy_status(low):
        return []
    agents = [
        ALLERGY_AGENTS[w] for c in _stated_clauses(low) for w in words(c) if w in ALLERGY_AGENTS
    ]
    return [f"history personal allergy {agent}" for agent in dict.fromkeys(agents)]


# A visit for a vaccine ("came in for her flu vaccine", "tetanus shot today"): Vaccination
# (prophylactic), encounter for Z23. Not a vaccine missed, refused or delayed (Z28.-), nor a
# reaction to one (Complications, vaccination).
# ("booster seat": a child's car seat, no vaccine)
_VACCINE = re.compile(
    r"\b(?:vaccines?|vaccinations?|vaccinated|immuni[sz]ations?|boosters?(?!\s+seats?\b))\b"
)
_SHOT_OF = re.compile(
    r"\b(?:flu|influenza|tetanus|tdap|td|pneumonia|pneumococcal|shingles|zoster|covid|hpv"
    r"|hep(?:atitis)? [ab]|mmr|measles|polio|rabies)\s+(?:shots?|jabs?)\b"
)
# Also not a reaction said "post" or "adverse" (Fever, postvaccination R50.83), nor a status
# ("fully vaccinated"; Vaccination, partial, for COVID-19 Z28.311).
_NO_VACCINE = re.compile(
    r"\b(?:not|no|never|refused|refuses|declined|declines|delayed|missed|behind|overdue"
    r"|unvaccinated|reaction|reacted|after|side effects?|due to|from|allergic|allergy"
    r"|exemption|contraindicat\w*|status|history"
    r"|adverse|post|postvaccin\w*|following|partial(?:ly)?|fully|up to date)\b"
)


def vaccination_readings(text: str) -> list[str]:
    """ "came in for her flu vaccine", "tetanus shot" -> "vaccination encounter for" (Z23);
    [] when the vaccine is missed, refused, delayed or reacted to."""
    low = text.lower()
    said = _VACCINE.search(low) or _SHOT_OF.search(low)
    # Any of those words anywhere in the query (the whole query is one clause here).
    if not said or not stated_clauses(low, _NO_VACCINE, breaks=None):
        return []
    return ["vaccination encounter for"]


# Something put or stuck into a body opening ("kid stuck a bead up his nose", "pushed a
# pebble in her ear", "something stuck in my eye"): Foreign body, entering through orifice
# (FY2025 Index: ear T16.-, eye T15.9-, nose T17.1, throat T17.2-, ... ), read with the site
# the query names after "up"/"in"/"into".
_PUT_IN = re.compile(
    r"\b(?:stuck|stuffed|shoved|pushed|put|poked|inserted|lodged|got (?:\w+ )?stuck)\b"
    r"[^,;.]*?\b(?:up|in|into|inside)\s+(?:his|her|my|their|the|your|its|one)?\s*"
    r"(?P<site>[a-z]+)"
)


def foreign_body_readings(text: str) -> list[str]:
    """ "kid stuck a bead up his nose" -> "foreign body entering through orifice nose";
    [] when nothing is said to be put into a body opening."""
    return [
        f"foreign body entering through orifice {m.group('site')}"
        for m in _PUT_IN.finditer(text.lower())
    ]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def maternity_readings(reading: str) -> list[str]:
    """A condition in a pregnant patient read as the Index files it: "<condition>
    complicating pregnancy" and "pregnancy complicated by <condition>"; after giving birth
    or breastfeeding, with the Index's obstetric, puerperal and postpartum subterm words
    (Mastitis, obstetric, associated with, lactation O91.23)."""
    said = set(words(reading))
    rest = " ".join(w for w in words(reading) if w not in PREGNANT)
    out = []
    # "can't get pregnant", "not pregnant": no pregnancy.
    if _NOT_PREGNANT.search(reading.lower()):
        said -= PREGNANT
    if said & PREGNANT and rest:
        out += [f"{rest} complicating pregnancy", f"pregnancy complicated by {rest}"]
    if said & PUERPERAL:
        # Mastitis, obstetric, associated with, lactation O91.23; ..., puerperium O91.22.
        out.append(f"{reading} obstetric puerperal postpartum associated")
    return out


def newborn_readings(text: str) -> list[str]:
    """A newborn's condition with the Index's newborn subterm words; a baby born at N weeks
    as the Index's preterm (or extremely immature) newborn of N completed weeks."""
    low = text.lower()
    out = born_at_readings(low)
    said = set(words(low))
    if said & _MOTHERS_PRETERM:
        said.discard("preterm")
    if said & NEWBORN:
        out.append(f"{low} newborn neonatal")
    return out


_INFANT = re.compile(r"\b(?:infants?|newborns?|neonates?|neonatal|babies|baby|born with)\b")


def congenital_readings(text: str) -> list[str]:
    """A baby's condition also read down the Index's "congenital" subterms ("hip dysplasia
    in infant": Dysplasia, hip, congenital Q65.89); [] when no baby is named, or the words
    are the mother's."""
    low = text.lower()
    if not _INFANT.search(low) or set(words(low)) & _MOTHERS_PRETERM:
        return []
    return [f"{_INFANT.sub(' ', low)} congenital"]


def born_at_readings(text: str) -> list[str]:
    """A baby born at N weeks as the Index's preterm (or extremely immature) newborn of N
    completed weeks; [] at term or when no week is said."""
    low = text.lower()
    born = _WEEKS_OLD.search(low)
    # Said of a baby, not of a pregnancy or the mother's labor ("preterm labor at 32 weeks").
    if not born or not _BORN.search(low) or set(words(low)) & _MOTHERS_PRETERM:
        return []
    weeks = int(born.group(1))
    if weeks < _VIABLE:
        return []
    if weeks < 28:
        return [f"immaturity extreme newborn gestational age {weeks} completed weeks"]
    if weeks < 37:
        return [f"preterm newborn gestational age {weeks} completed weeks"]
    return []


def neoplasm_readings(text: str) -> list[str]:
    """ "colon cancer spread to the liver", "liver mets", "peritoneal carcinomatosis",
    "secondary bone cancer": each site's secondary column (the primary named as the origin
    is read by the plain Index reading); "not cancer": the benign column."""
    low = text.lower()
    out = []
    if _CANCER.search(low):
        # "mets to brain and bone": each site.
        sites = [
            site.strip()
            for m in _SPREAD.finditer(low)
            for site in re.split(r"\band\b", m.group("site"))
        ]
        sites += [c for clause in re.split(r"[,;.]", low) for c in _sites_said_before(clause)]
        out += [f"secondary malignant neoplasm {site}" for site in dict.fromkeys(sites) if site]
    if _NOT_CANCER.search(low):
        out.append("benign " + _NOT_CANCER.sub(" ", low))
    return out


def _sites_said_before(clause: str) -> list[str]:
    """The sites a clause names just before its spread word ("liver mets") or between
    "secondary" and a cancer word ("secondary bone cancer")."""
    said = words(clause)
    out = []
    for i, word in enumerate(said):
        # "metastatic" said last reads back only from a lesion, deposit or disease ("liver
        # lesion metastatic"): "breast cancer metastatic" is the breast primary that has
        # spread, as "metastatic breast cancer" is.
        metastatic_site = i + 1 == len(said) and i > 0 and said[i - 1] in _METASTATIC_NOUNS
        if word in _SPREAD_NOUNS and (word != "metastatic" or metastatic_site):
            out.append(_site_before(said, i))
        elif word in _SECONDARY_WORDS:
            ahead = said[i + 1 : i + 1 + _SITE_WORDS + 1]
            nouns = _CANCER_NOUNS if word == "secondary" else _METASTATIC_NOUNS
            end = next((k for k, w in enumerate(ahead) if w in nouns), None)
            if end:
                out.append(" ".join(ahead[:end]))
    return [site for site in out if site]


def _site_before(said: list[str], at: int) -> str:
    start = at
    while start > 0 and at - start < _SITE_WORDS and said[start - 1] not in _SITE_BREAK:
        start -= 1
    site = [w for w in said[start:at] if w not in _CANCER_NOUNS and w not in _SECONDARY_WORDS]
    return " ".join(site)


def phobia_readings(text: str) -> list[str]:
    """ "afraid of spiders" -> "phobia specific animal spiders" (Fear of: see Phobia). Only
    what is feared counts: the few words after "<fear> of" and the word before "phobia"
    ("scared about blood in my stool" fears no blood)."""
    said = words(text)
    feared: list[str] = []
    for i, word in enumerate(said):
        if word in _FEAR and i + 1 < len(said) and said[i + 1] == "of":
            feared += said[i + 2 : i + 2 + _FEARED_WORDS]
        elif word in ("phobia", "phobic") and i > 0:
            feared.append(said[i - 1])
    paths = [PHOBIA_OBJECTS[w] for w in feared if w in PHOBIA_OBJECTS]
    return [f"phobia {path}" for path in dict.fromkeys(paths)]


# "afraid of being around people": the object is within four words of "of".
_FEARED_WORDS = 4

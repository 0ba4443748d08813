"""Kinds of lay query on the ICD-10-CM side that a blind set missed (issue 15), each written
from the Alphabetic Index (FY2025) and the Tabular (FY2026), not from an evaluation item:

1. a condition named plainly ("cervical cancer") is the condition, not its screening
   encounter (Z12.4) or the screening service (G0101), unless the query asks for screening;
2. everyday words for the intent of a poisoning (by mistake, tried to overdose, skipped);
3. allergy status and social needs in lay words (History, personal, allergy; Insecurity;
   Problem, living alone) and encounter reasons (Removal, suture; Change, dressing);
4. injury lay words (gash, stepped on a nail, outer ankle bone);
5. coder shorthand for sides and cardiology, pulmonary and vascular terms.
"""

from __future__ import annotations

import pytest

from medcode.search.drug_table import (
    ACCIDENTAL,
    ADVERSE,
    ASSAULT,
    SELF_HARM,
    UNDERDOSING,
    allergy_status_codes,
    build_table,
    intent_column,
    table_codes,
)
from medcode.search.index_matcher import AlphabeticIndex, build_tree
from medcode.search.querytext import expand_synonyms, side_words
from medcode.search.ranking import DEMOTED, Doc, asked_words, is_screening, query_kind, weight
from medcode.search.readings import allergy_readings, is_allergy_status, vaccination_readings
from medcode.search.tests.builders import top3_misses

# ---------------------------------------------------------------- 1. screening


def _doc(system: str, code: str, title: str) -> Doc:
    return Doc(1, system, code, True, "code", "", title)


Z124 = _doc("ICD10CM", "Z124", "Encounter for screening for malignant neoplasm of cervix")
G0101 = _doc("HCPCS", "G0101", "Cervical or vaginal cancer screening; pelvic and clinical breast")
C539 = _doc("ICD10CM", "C539", "Malignant neoplasm of cervix uteri, unspecified")


def test_a_screening_code_is_one_whose_title_says_screening():
    assert is_screening(Z124) and is_screening(G0101)
    assert not is_screening(C539)


@pytest.mark.parametrize(
    ("query", "demoted"),
    [
        ("cervical cancer", True),
        ("cervical cancer not screening", True),
        ("cervical cancer, no screening", True),
        ("cervical cancer screening", False),
        ("pap smear", False),
        ("mammogram", False),
        ("check for colon cancer", False),
    ],
)
def test_a_screening_code_is_demoted_unless_the_query_asks_for_screening(query, demoted):
    said = asked_words(query.replace(",", "").split())
    for doc in (Z124, G0101):
        expected = DEMOTED * weight(doc, "condition", said | {"screening"})
        assert (weight(doc, "condition", said) == expected) is demoted
    # The neoplasm itself is never demoted for it.
    assert weight(C539, "condition", said) == 1.0


Z860100 = _doc("ICD10CM", "Z860100", "Personal history of colon polyps, unspecified")
Z8371 = _doc("ICD10CM", "Z8371", "Family history of colonic polyps")
K635 = _doc("ICD10CM", "K635", "Polyp of colon")


@pytest.mark.parametrize(
    ("query", "demoted"),
    [
        ("colon polyps", True),
        ("colon polyps removed last year, history", False),
        ("hx colon polyps", False),
        ("dad had colon polyps", False),
        ("h pylori infection", True),  # "h" alone is no "h/o"
    ],
)
def test_a_history_code_is_demoted_unless_the_query_speaks_of_the_past(query, demoted):
    said = asked_words(query.replace(",", "").split())
    for doc in (Z860100, Z8371):
        expected = DEMOTED * weight(doc, "condition", said | {"history"})
        assert (weight(doc, "condition", said) == expected) is demoted
    assert weight(K635, "condition", said) == 1.0


# ---------------------------------------------------------------- 2. poisoning intent


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("took grandma's blood pressure pills by mistake", ACCIDENTAL),
        ("accidentally took two doses of metoprolol", ACCIDENTAL),
        ("toddler got into the pills, ibuprofen", ACCIDENTAL),
        ("took the wrong medicine, her husband's warfarin", ACCIDENTAL),
        ("took a double dose of insulin", ACCIDENTAL),
        ("tried to overdose on tylenol", SELF_HARM),
        # Another's act: assault, not self-harm ("to poison herself" stays self-harm).
        ("her husband tried to poison her with antifreeze", ASSAULT),
        ("tried to poison herself with bleach", SELF_HARM),
        ("took sertraline on purpose to hurt herself", SELF_HARM),
        ("side effect of lisinopril", ADVERSE),
        ("reaction to penicillin", ADVERSE),
        ("ran out of lisinopril", UNDERDOSING),
        ("skipped my insulin", UNDERDOSING),
        # A meal skipped is no dose skipped.
        ("skipped my lunch and took my insulin", None),
        ("didn't take her metformin for a week", UNDERDOSING),
        ("taking less insulin than prescribed", UNDERDOSING),
        # Not affording a drug says nothing of the doses taken: a social need (Z59.86-).
        ("can't afford his insulin", None),
        ("allergic to penicillin", None),
        # A negated cue picks no column; the other words decide.
        ("accidental overdose of oxycodone, not trying to hurt herself", ACCIDENTAL),
        ("took too many sleeping pills, denies wanting to hurt himself", ACCIDENTAL),
        # "did not take ... on purpose" denies the intent, not the dose (no underdosing)
        ("took too many tylenol, did not take them on purpose", ACCIDENTAL),
        ("has not been taking her metformin", UNDERDOSING),
        ("no suicidal ideation, took extra xanax by mistake", ACCIDENTAL),
        ("not taking his metformin as prescribed", UNDERDOSING),
        ("no side effects from metformin", None),
        # A negation in an earlier clause does not reach the cue.
        ("not sure why, but tried to overdose on tylenol", SELF_HARM),
    ],
)
def test_everyday_words_pick_the_table_column_of_the_intent(query, column):
    assert intent_column(query) == column


def _cells(code: str) -> dict[str, str]:
    """A Table row's cells: code stem + 1..6 as the Table's columns number them."""
    columns = ("accidental", "intentional_self_harm", "assault", "undetermined")
    cells = {f"poisoning_{c}": f"{code}{i}" for i, c in enumerate(columns, start=1)}
    return {**cells, "adverse_effect": f"{code}5", "underdosing": f"{code}6"}


# (level, term, cells) as the importer loads the Table of Drugs and Chemicals (FY2025 rows).
TABLE_ROWS = [
    (0, "Drug NEC", _cells("T50.90")),
    (0, "Oxycodone", _cells("T40.2X")),
    (
        0,
        "Sulfur, sulfurated, sulfuric, sulfurous, sulfuryl",
        {**_cells("T49.4X"), "nemod": "(compounds NEC) (medicinal)"},
    ),
    (1, "medicinal NEC", {**_cells("T49.4X"), "nemod": "(keratolytic) (ointment)"}),
]


def test_an_allergy_status_to_a_drug_is_the_z88_code_of_its_table_class():
    rows = [
        (0, "Amoxicillin", _cells("T36.0X")),
        (0, "Codeine", _cells("T40.2X")),
        (0, "Ibuprofen", _cells("T39.31")),
        (0, "Sulfamethoxazole", _cells("T37.0X")),
        (0, "Ciprofloxacin", _cells("T36.8X")),
        (0, "Lisinopril", _cells("T46.4X")),
    ]
    table = build_table(rows)
    assert allergy_status_codes(table, "amoxicillin allergy") == ["Z880"]
    assert allergy_status_codes(table, "allergic to codeine") == ["Z885"]
    assert allergy_status_codes(table, "ibuprofen allergy") == ["Z886"]
    assert allergy_status_codes(table, "allergic to sulfamethoxazole") == ["Z882"]
    assert allergy_status_codes(table, "ciprofloxacin allergy") == ["Z881"]
    assert allergy_status_codes(table, "lisinopril allergy") == ["Z888"]
    assert is_allergy_status("allergic to codeine")
    assert not is_allergy_status("rash after taking codeine, allergic")


def test_a_drug_said_without_its_name_is_the_tables_drug_nec():
    table = build_table(TABLE_ROWS)
    # Not Sulfur > medicinal, which "medicine" names only through Sulfur's own modifier.
    assert table_codes(table, "took the wrong medicine by mistake") == ["T50901"]
    assert table_codes(table, "ran out of her seizure pills") == ["T50906"]
    assert table_codes(table, "took grandma's oxycodone by mistake") == ["T402X1"]
    assert table_codes(table, "medicine cabinet") == []


# ---------------------------------------------------------------- 3. status, social, encounters


@pytest.mark.parametrize(
    ("query", "readings"),
    [
        ("allergic to sulfa", ["history personal allergy sulfonamides"]),
        ("penicillin allergy", ["history personal allergy penicillin"]),
        ("PCN allergy", ["history personal allergy penicillin"]),
        ("latex allergy", ["history personal allergy latex"]),
        ("peanut allergy", ["history personal allergy food peanuts"]),
        (
            "allergies: penicillin, sulfa",
            ["history personal allergy penicillin", "history personal allergy sulfonamides"],
        ),
        # A reaction now is the adverse effect or the reaction, not a status.
        ("allergic reaction to penicillin", []),
        ("hives after taking amoxicillin, allergic", []),
        ("seasonal allergies", []),
        ("latex gloves", []),
        # Dye alone is no contrast medium (History, personal, allergy, contrast media).
        ("allergic to hair dye", []),
        ("allergic to contrast dye", ["history personal allergy contrast media"]),
        # An allergy denied is no status (Z88.- would say the opposite).
        ("not allergic to penicillin", []),
        ("no known drug allergies", []),
        ("no penicillin allergy", []),
        ("denies allergy to sulfa", []),
        ("penicillin allergy: none", []),
        # ... in its own clause only
        ("allergic to penicillin, no other allergies", ["history personal allergy penicillin"]),
        ("allergic to penicillin, no sulfa allergy", ["history personal allergy penicillin"]),
    ],
)
def test_an_allergy_stated_as_a_fact_is_read_as_the_index_allergy_status(query, readings):
    assert allergy_readings(query) == readings


@pytest.mark.parametrize(
    ("query", "readings"),
    [
        ("here for a flu shot", ["vaccination encounter for"]),
        ("tetanus booster today", ["vaccination encounter for"]),
        ("car booster seat", []),  # a child's car seat
        ("hep b vaccine", ["vaccination encounter for"]),
        # Missed, refused or reacted to: Z28.- or a complication, not Z23.
        ("not vaccinated for measles", []),
        ("refused the covid vaccine", []),
        ("arm swollen after flu shot", []),
        ("fever post flu vaccine", []),  # Fever, postvaccination R50.83
        ("vaccine adverse event", []),
        ("fully vaccinated", []),
        ("partially vaccinated for covid", []),  # Vaccination, partial, COVID-19 Z28.311
        ("flu", []),
    ],
)
def test_a_visit_for_a_vaccine_is_read_as_the_index_vaccination_encounter(query, readings):
    assert vaccination_readings(query) == readings


def _alternatives(query: str) -> set[str]:
    return {" ".join(alt) for group in expand_synonyms(query.split()) for alt in group}


@pytest.mark.parametrize(
    ("query", "index_words"),
    [
        ("no ride to appointments", "transportation insecurity"),
        ("not enough food at home", "food insecurity"),
        ("can't afford medicine", "financial insecurity"),
        ("elderly, lives alone", "problems related to living alone"),
        ("living in my car", "unsheltered homelessness"),
        ("here to get stitches out", "removal suture"),
        ("dressing change", "change dressing"),
        ("medication refill", "issue repeat prescription"),
        # 4. injuries
        ("gash on my shin", "laceration"),
        ("sliced my finger", "laceration"),
        ("stepped on a rusty nail", "puncture foot"),
        ("broke my outer ankle bone", "lateral malleolus"),
        ("broke the inner ankle bone", "medial malleolus"),
        ("cracked tail bone", "coccyx"),
        # 5. shorthand
        ("pulm htn", "pulmonary"),
        ("ica stenosis", "internal carotid artery"),
        ("1st degree avb", "atrioventricular block"),
        ("1st degree avb", "first degree"),
        ("paf", "paroxysmal atrial fibrillation"),
        ("rle cellulitis", "right lower limb"),
    ],
)
def test_lay_words_and_shorthand_expand_to_the_index_words(query, index_words):
    assert index_words in _alternatives(query)


@pytest.mark.parametrize("abbreviation", ["taa", "hhd"])
def test_an_abbreviation_with_two_common_readings_is_not_expanded(abbreviation):
    # TAA: thoracic aortic aneurysm or total ankle arthroplasty; HHD: hypertensive heart
    # disease or home hemodialysis.
    assert _alternatives(f"{abbreviation} right") == {abbreviation, "right"}


def test_a_social_need_with_a_supply_word_is_a_condition_query():
    assert query_kind(["no", "ride", "to", "appointments"]) == "condition"
    assert query_kind(["dressing", "change"]) == "condition"
    assert query_kind(["wheelchair", "ride"]) == "supply"


def test_rt_lt_bilat_and_b_l_are_sides():
    assert side_words(["rt", "knee", "pain"]) == ["right", "knee", "pain"]
    assert side_words(["lt", "wrist", "fx"]) == ["left", "wrist", "fx"]
    assert side_words(["bilat", "knee", "oa"]) == ["bilateral", "knee", "oa"]
    assert side_words(["b", "l", "leg", "swelling"]) == ["bilateral", "leg", "swelling"]
    # At the end "rt" is more likely radiation therapy ("breast ca s/p RT").
    assert side_words(["breast", "ca", "s", "p", "rt"]) == ["breast", "ca", "s", "p", "rt"]


# (level, term, code, see, see_also, cells) as the importer loads the Index (FY2025 rows).
INDEX_ROWS: list[tuple[int, str, str, str, str, dict[str, str]]] = [
    (0, "History", "", "", "", {}),
    (1, "personal (of)", "", "", "", {}),
    (2, "allergy (to)", "Z88.9", "", "", {}),
    (3, "penicillin", "Z88.0", "", "", {}),
    (3, "sulfonamides", "Z88.2", "", "", {}),
    (3, "latex", "Z91.040", "", "", {}),
    (0, "Insecurity", "", "", "", {}),
    (1, "food", "Z59.41", "", "", {}),
    (1, "transportation", "Z59.82", "", "", {}),
    (0, "Problem (with) (related to)", "", "", "", {}),
    (1, "living alone", "Z60.2", "", "", {}),
    (0, "Removal (from) (of)", "", "", "", {}),
    (1, "suture", "Z48.02", "", "", {}),
    (0, "Puncture", "", "", "", {}),
    (1, "foot (except toe(s) alone)", "S91.339", "", "", {}),
]


@pytest.mark.parametrize(
    ("reading", "code"),
    [
        ("history personal allergy sulfonamides", "Z882"),
        ("history personal allergy penicillin", "Z880"),
        ("transportation insecurity to appointments", "Z5982"),
        ("food insecurity at home", "Z5941"),
        ("elderly problems related to living alone", "Z602"),
        ("here to get removal suture", "Z4802"),
        ("puncture foot", "S91339"),
    ],
)
def test_the_readings_lead_down_the_index_to_the_code(reading, code):
    index = AlphabeticIndex(roots=build_tree(INDEX_ROWS), neoplasm=[])
    assert index.lookup(reading)[0].code == code


# The Neoplasm Table's rows (FY2025): "cervix" with its forms as nonessential modifiers.
NEOPLASM_ROWS: list[tuple[int, str, str, str, str, dict[str, str]]] = [
    (0, "Neoplasm, neoplastic", "", "", "", {"malignant_primary": "C80.1"}),
    (1, "cervical region", "", "", "", {"malignant_primary": "C76.0"}),
    (
        1,
        "cervix",
        "",
        "",
        "",
        {"malignant_primary": "C53.9", "nemod": "(cervical) (uteri) (uterus)"},
    ),
]


def test_a_one_word_sites_form_in_its_modifiers_names_it():
    neoplasm = build_tree(NEOPLASM_ROWS)[0].children
    index = AlphabeticIndex(roots=[], neoplasm=neoplasm)
    assert index.lookup("cervical cancer")[0].code == "C539"
    assert index.lookup("cancer of the cervical region")[0].code == "C760"


# ---------------------------------------------------------------- on the real releases

# query -> the code (or code prefix) the Index sends a coder to, which must be in the top 3.
KINDS = {
    # 1. a condition, not its screening
    "cervical cancer": "C539",  # Neoplasm, cervix, malignant
    "prostate cancer": "C61",  # Neoplasm, prostate, malignant
    "breast cancer, not a screening": "C509",  # Neoplasm, breast, malignant
    "colon polyps": "K635",  # Polyp, colon (not Z86.010- personal history)
    # 2. intent
    "took grandma's oxycodone by mistake": "T402X1",  # Table: Oxycodone, accidental
    "tried to overdose on acetaminophen": "T391X2",  # Table: Acetaminophen, self-harm
    "skipped my insulin for two days": "T383X6",  # Table: Insulin, underdosing
    "took the wrong medicine by mistake": "T50901",  # Wrong drug: Table, Drug NEC
    # 3. status, social, encounters
    "allergic to sulfa": "Z882",  # History, personal, allergy, sulfonamides
    "penicillin allergy": "Z880",  # History, personal, allergy, penicillin
    "latex allergy": "Z91040",  # History, personal, allergy, latex
    "allergic to codeine": "Z885",  # Table: Codeine T40.2X5 (opioid): narcotic agent
    "no ride to appointments": "Z5982",  # Insecurity, transportation
    "not enough food at home": "Z5941",  # Insecurity, food
    "elderly woman lives alone": "Z602",  # Problem, living alone
    "here to get my stitches out": "Z4802",  # Removal, suture
    "came in for a flu shot": "Z23",  # Vaccination, encounter for
    # 4. injuries
    "stepped on a rusty nail": "S9133",  # Puncture, foot
    "gash on my left knee": "S81012",  # Laceration, knee (left)
    "broke my right outer ankle bone": "S826",  # Fracture, ankle, lateral malleolus
    # 5. shorthand
    "pulm htn": "I272",  # Hypertension, pulmonary
    "R ICA stenosis": "I6521",  # Occlusion, artery, carotid (right)
    "1st degree AVB": "I440",  # Block, atrioventricular, first degree
}


@pytest.mark.fulldata
@pytest.mark.django_db
def test_issue15_kinds_find_the_index_code_in_the_top_3_on_the_real_releases(
    real_cm_lay, lexical_only
):
    assert top3_misses(KINDS) == {}

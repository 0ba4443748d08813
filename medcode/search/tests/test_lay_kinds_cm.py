"""Kinds of lay query on the ICD-10-CM side, each written from the Alphabetic Index (FY2025)
and the Tabular (FY2026), not from an evaluation item:

1. a verb or adjective where the Index has the noun ("snore": Snoring), and lay paraphrases
   of common symptoms (up at night to pee: Nocturia);
2. specialty abbreviations (HOCM, IPF, EoE, ATN, ADPKD; PDR/NPDR with DME and a side;
   AOM with TM perforation);
3. a pregnancy or a newborn said in the query: chapter 15 and 16 codes lead;
4. mental-health lay words (dysthymia, agoraphobia, specific phobias, hallucinations);
5. neoplasm behaviour in lay words (spread to a site: its secondary column; not cancer);
6. injury lay words (scraped: abrasion; blistering burn: second degree; tore a tendon).
"""

from __future__ import annotations

import pytest

from medcode.search.index_matcher import AlphabeticIndex, build_tree
from medcode.search.querytext import expand_synonyms, side_words
from medcode.search.readings import (
    born_at_readings,
    maternity_readings,
    neoplasm_readings,
    newborn_readings,
    phobia_readings,
)
from medcode.search.tests.builders import top3_misses
from medcode.search.wordforms import document_forms, forms_by_root, root

# ---------------------------------------------------------------- 1. word forms


@pytest.mark.parametrize(
    ("said", "indexed"),
    [
        ("snore", "snoring"),
        ("hoarse", "hoarseness"),
        ("bloated", "bloating"),
        ("itchy", "itching"),
        ("wheezy", "wheezing"),
        ("dizzy", "dizziness"),
        ("depressed", "depression"),
        ("constipated", "constipation"),
    ],
)
def test_a_lay_form_and_the_index_noun_share_a_root(said, indexed):
    assert root(said) == root(indexed)


def test_a_word_no_document_has_is_read_in_the_documents_form():
    forms = forms_by_root([("snoring", 2), ("bloating", 1), ("itch", 18), ("itching", 12)])
    known = {"itch": 18, "itching": 12, "snoring": 2, "bloating": 1}
    assert document_forms("snore", known, forms) == ("snoring",)
    assert document_forms("bloated", known, forms) == ("bloating",)
    assert document_forms("itchy", known, forms) == ("itching",)
    # A word the documents have is left as it is; so is a short one.
    assert document_forms("itching", known, forms) == ()
    assert document_forms("itc", known, forms) == ()


# ---------------------------------------------------------------- lay words and abbreviations


def _alternatives(query: str) -> set[str]:
    return {" ".join(alt) for group in expand_synonyms(query.split()) for alt in group}


@pytest.mark.parametrize(
    ("query", "index_words"),
    [
        ("up at night to pee", "nocturia"),
        ("wake up night pee", "nocturia"),  # as the word search reads it, stop words out
        ("can't smell", "anosmia"),
        ("can't taste", "ageusia"),
        ("hearing voices", "auditory hallucination"),
        ("the room is spinning", "vertigo"),
        ("burping", "eructation"),
        ("hocm", "hypertrophic obstructive cardiomyopathy"),
        ("ipf", "idiopathic pulmonary fibrosis"),
        ("eoe", "eosinophilic esophagitis"),
        ("atn", "acute tubular necrosis"),
        ("adpkd", "autosomal dominant polycystic kidney"),
        ("npdr", "nonproliferative diabetic retinopathy"),
        ("aom w tm perf", "spontaneous rupture of ear drum"),
        ("afraid to leave the house", "agoraphobia"),
        ("chronic low mood", "dysthymia"),
        ("scraped knee", "abrasion"),
        ("blistering burn", "second degree burn"),
        ("tore a tendon", "strain of tendon"),
        ("lump not cancer", "benign"),
        ("depressed after giving birth", "postpartum"),
    ],
)
def test_lay_words_and_specialty_abbreviations_expand_to_the_index_words(query, index_words):
    assert index_words in _alternatives(query)


def test_dme_is_macular_edema_beside_an_eye_word_and_equipment_elsewhere():
    assert side_words(["pdr", "with", "dme", "od"]) == ["pdr", "with", "macular", "edema", "right"]
    assert side_words(["npdr", "os"]) == ["npdr", "left"]
    assert side_words(["dme", "supplier"]) == ["dme", "supplier"]
    assert "durable medical equipment" in _alternatives("dme")


def test_a_rotator_cuff_is_a_body_part_and_a_lay_reading_asks_for_a_chapter():
    from medcode.search.ranking import query_kind, reading_words

    assert query_kind(["tore", "my", "left", "rotator", "cuff"]) == "condition"
    assert query_kind(["blood", "pressure", "cuff"]) == "supply"
    assert "postpartum" in reading_words(["bleeding", "after", "giving", "birth"])
    assert "lactation" in reading_words(["mastitis", "while", "breastfeeding"])


# ---------------------------------------------------------------- readings said in a sentence


def test_a_condition_in_a_pregnancy_is_read_under_complicating_pregnancy():
    assert maternity_readings("hypertension while pregnant") == [
        "hypertension while complicating pregnancy",
        "pregnancy complicated by hypertension while",
    ]
    assert maternity_readings("depression postpartum") == [
        "depression postpartum obstetric puerperal postpartum associated"
    ]
    assert maternity_readings("can't get pregnant") == []
    assert maternity_readings("high blood pressure") == []


def test_a_baby_born_at_n_weeks_is_the_index_preterm_newborn_of_n_completed_weeks():
    assert newborn_readings("baby born at 32 weeks") == [
        "preterm newborn gestational age 32 completed weeks"
    ]
    assert newborn_readings("born at 26 weeks") == [
        "immaturity extreme newborn gestational age 26 completed weeks"
    ]
    assert newborn_readings("newborn hypoglycemia") == ["newborn hypoglycemia newborn neonatal"]
    assert newborn_readings("born at 39 weeks, healthy") == []
    # The mother's preterm labor is no newborn's condition (Labor, preterm O60.-).
    assert newborn_readings("preterm labor at 32 weeks") == []
    assert newborn_readings("preterm baby with jaundice") == [
        "preterm baby with jaundice newborn neonatal"
    ]
    assert born_at_readings("premature baby born at 32 weeks") == [
        "preterm newborn gestational age 32 completed weeks"
    ]
    assert born_at_readings("premature baby") == []


def test_a_cancer_spread_to_a_site_asks_for_the_sites_secondary_column():
    assert neoplasm_readings("colon cancer spread to the liver") == [
        "secondary malignant neoplasm liver"
    ]
    assert neoplasm_readings("breast cancer that has gone to the bones") == [
        "secondary malignant neoplasm bones"
    ]
    assert neoplasm_readings("lump in the thyroid, not cancer")[0].startswith("benign")
    assert neoplasm_readings("colon cancer") == []
    assert neoplasm_readings("went to the er with chest pain") == []
    assert neoplasm_readings("moved to the icu") == []
    assert neoplasm_readings("mets to the liver") == ["secondary malignant neoplasm liver"]


def test_a_fear_of_something_is_read_down_the_phobia_subterms():
    assert phobia_readings("afraid of spiders") == ["phobia specific animal spiders"]
    assert phobia_readings("scared of dogs") == ["phobia specific animal"]
    assert phobia_readings("terrified of heights") == ["phobia specific situational heights"]
    assert phobia_readings("afraid of needles") == ["phobia specific injection"]
    assert phobia_readings("spiders in the garage") == []
    assert phobia_readings("afraid of being around people") == ["phobia social"]
    assert phobia_readings("thunder phobia") == [
        "phobia specific natural environment thunderstorms"
    ]
    # Worry about a symptom is no phobia of it.
    assert phobia_readings("scared about blood in my stool") == []
    assert phobia_readings("afraid people think i am crazy") == []


# (level, term, code, see, see_also, cells) as the importer loads the Index (FY2025 rows).
INDEX_ROWS: list[tuple[int, str, str, str, str, dict[str, str]]] = [
    (0, "Snoring", "R06.83", "", "", {}),
    (0, "Hypertension, hypertensive (accelerated) (benign) (essential)", "I10", "", "", {}),
    (1, "complicating", "", "", "", {}),
    (2, "pregnancy", "O16.-", "", "", {}),
    (0, "Preterm", "", "", "", {}),
    (1, "newborn (infant)", "P07.30", "", "", {}),
    (2, "gestational age", "", "", "", {}),
    (3, "32 completed weeks (32 weeks, 0 days through 32 weeks, 6 days)", "P07.35", "", "", {}),
    (3, "33 completed weeks (33 weeks, 0 days through 33 weeks, 6 days)", "P07.36", "", "", {}),
    (0, "Phobia, phobic", "F40.9", "", "", {}),
    (1, "specific (isolated)", "F40.298", "", "", {}),
    (2, "animal", "F40.218", "", "", {}),
    (3, "spiders", "F40.210", "", "", {}),
    (2, "situational", "F40.248", "", "", {}),
    (3, "heights", "F40.241", "", "", {}),
    (0, "Hypoglycemia (spontaneous)", "E16.2", "", "", {}),
    (1, "neonatal (transitory)", "P70.4", "", "", {}),
]


@pytest.mark.parametrize(
    ("reading", "code"),
    [
        ("i snoring loudly", "R0683"),
        ("hypertension while complicating pregnancy", "O16"),
        ("preterm newborn gestational age 32 completed weeks", "P0735"),
        ("phobia specific animal spiders", "F40210"),
        ("phobia specific situational heights", "F40241"),
        ("newborn hypoglycemia newborn neonatal", "P704"),
    ],
)
def test_the_readings_lead_down_the_index_to_the_code(reading, code):
    index = AlphabeticIndex(roots=build_tree(INDEX_ROWS), neoplasm=[])
    assert index.lookup(reading)[0].code.startswith(code)


# ---------------------------------------------------------------- on the real releases

# query -> the code (or code prefix) the Index sends a coder to, which must be in the top 3.
KINDS = {
    # 1. forms and paraphrases
    "I snore loudly": "R0683",  # Snoring
    "feeling bloated after meals": "R140",  # Bloating
    "wheezy chest": "R062",  # Wheezing
    "I wake up at night to pee": "R351",  # Nocturia
    "lost my sense of smell": "R430",  # Anosmia
    "hearing voices": "R440",  # Hallucination, auditory
    "burping all the time": "R142",  # Eructation (Belching: see Eructation)
    "burns when I pee": "R300",  # Dysuria
    "shivering": "R6883",  # Chill(s)
    # 2. specialty abbreviations
    "HOCM": "I421",  # Cardiomyopathy, hypertrophic, obstructive
    "IPF": "J84112",  # Fibrosis, pulmonary, idiopathic
    "EoE": "K200",  # Esophagitis, eosinophilic
    "ATN": "N170",  # Necrosis, tubular
    "ADPKD": "Q612",  # Polycystic, kidney, autosomal dominant
    "PDR with DME OD": "E113511",  # Diabetes, with, retinopathy, proliferative, with macular edema
    "AOM w/ TM perf": "H6601",  # Otitis, media, suppurative, acute, with rupture of ear drum
    "PFO": "Q2112",  # Patent, foramen, ovale
    "VAP": "J95851",  # Pneumonia, ventilator associated
    "CSCR right eye": "H35711",  # Chorioretinopathy, central serous (right)
    # 3. pregnancy and newborn
    "high blood pressure while pregnant": "O169",  # Hypertension, complicating, pregnancy
    "30 weeks pregnant with high blood pressure": "O163",
    "pregnant and anemic": "O9901",  # Pregnancy, complicated by, anemia
    "bleeding after giving birth": "O72",  # Hemorrhage, postpartum
    "newborn low blood sugar": "P704",  # Hypoglycemia, neonatal
    "baby born at 32 weeks": "P0735",  # Preterm, newborn, gestational age, 32 completed weeks
    "mastitis while breastfeeding": "O9123",  # Mastitis, obstetric, associated with, lactation
    # A single gestation's 7th character is 0 ("not applicable or unspecified"), not fetus 1.
    "baby is breech at 37 weeks": "O321XX0",  # Presentation, breech: maternal care O32.1-
    "cord around baby's neck during delivery": "O691XX0",
    "water broke early at 33 weeks": "O42",  # Pregnancy, complicated by, premature rupture
    "can't get pregnant": "N979",  # Infertility, female (no pregnancy code)
    # 4. mental health
    "afraid to leave the house": "F400",  # Agoraphobia
    "afraid of spiders": "F40210",  # Phobia, specific, animal, spiders
    "scared of dogs": "F40218",  # Phobia, specific, animal
    "terrified of heights": "F40241",  # Phobia, specific, situational, heights
    "long-standing low mood, not major depression": "F341",  # Dysthymia
    "afraid of being around people": "F4010",  # Phobia, social
    "thoughts of killing myself": "R45851",  # Ideation, suicidal
    # 5. neoplasms
    "colon cancer spread to the liver": "C787",  # Neoplasm, liver, malignant secondary
    "breast cancer that has gone to the bones": "C7951",  # Neoplasm, bone, secondary
    "lung cancer spread to brain": "C7931",  # Neoplasm, brain, secondary
    "lump in breast not cancer": "D24",  # Neoplasm, breast, benign
    # 6. injuries
    "scraped my left elbow": "S50312A",  # Abrasion, elbow (left)
    "blistering burn on my right hand": "T23201A",  # Burn, hand, second degree (right)
    "tore a tendon in my right ankle": "S96911A",  # Tear, tendon: see Strain; foot, strain
    "tore my left rotator cuff": "M75102",  # Tear, rotator cuff (nontraumatic), left
    "cracked a rib": "S2239XA",  # Fracture, traumatic, rib
    "rolled my ankle playing soccer": "S93409A",  # Sprain, ankle
}


@pytest.mark.fulldata
@pytest.mark.django_db
def test_lay_kinds_find_the_index_code_in_the_top_3_on_the_real_releases(real_cm_lay, lexical_only):
    from medcode.search.facade import search

    assert top3_misses(KINDS) == {}
    # The weeks said win over the Index's "Preterm, newborn" with weeks unspecified (P07.30).
    assert search("premature baby born at 32 weeks").results[0].code == "P0735"

"""Kinds of lay query read from the official tables (issue 15, the misses of
lay_independent8 taken as families, each written from the FY2025 Index, Neoplasm Table and
Table of Drugs, not from an evaluation item):

1. a status said in so many words ("has a g-tube", "on home oxygen", "hx right TKA"): the
   Index's Status (post), Presence (of) and Dependence (on), every subterm read;
2. a cancer's spread however it is said ("liver mets", "peritoneal carcinomatosis", "spread
   to the axillary lymph nodes"): the site's secondary column, the Table's "see" rows read on;
3. a Table of Drugs substance named by a subterm's nonessential modifier ("lithium
   carbonate": Lithium > salts (carbonate));
4. lay conditions the query's words did not reach: something stuck up the nose (Foreign body,
   entering through orifice), a baby's weeks of prematurity said in any order, a baby's
   condition read down the Index's "congenital" subterms, a main term without a code of its
   own whose subterm sits below a grouping the query does not say.
"""

from __future__ import annotations

import pytest

from medcode.search.drug_table import build_table, table_codes
from medcode.search.index_matcher import AlphabeticIndex, build_tree, see_alias_reading, stems
from medcode.search.querytext import expand_synonyms
from medcode.search.readings import (
    born_at_readings,
    congenital_readings,
    foreign_body_readings,
    neoplasm_readings,
)
from medcode.search.statuses import generic_reading, is_drug_status, says_status, status_codes
from medcode.search.tests.builders import top3_misses

# Rows as the FY2025 Index has them (level, term, code, see, see also, cells).
INDEX_ROWS = [
    (0, "Status (post)", "", "", "Presence (of)", {}),
    (1, "gastrostomy", "Z93.1", "", "", {}),
    (1, "dialysis", "Z99.2", "", "", {}),
    (1, "organ replacement", "", "", "", {}),
    (2, "by artificial or mechanical device or prosthesis of", "", "", "", {}),
    (3, "joint", "Z96.60", "", "", {}),
    (4, "knee", "", "Presence, knee joint implant", "", {}),
    (3, "heart", "Z95.812", "", "", {}),
    (1, "asthmaticus", "", "Asthma, by type, with status asthmaticus", "", {}),
    (0, "Presence (of)", "", "", "", {}),
    (1, "insulin pump", "Z96.41", "", "", {"nemod": "(external) (internal)"}),
    (1, "knee-joint implant", "Z96.65-", "", "", {}),
    (1, "breast implant", "Z98.82", "", "", {}),
    (1, "joint implant", "Z96.60", "", "", {"nemod": "(prosthetic)"}),
    (2, "knee", "", "Presence, knee joint implant", "", {}),
    (2, "specified joint NEC", "Z96.698", "", "", {}),
    (0, "Dependence (on) (syndrome)", "F19.20", "", "", {}),
    (1, "drug NEC", "F19.20", "", "", {}),
    (2, "cannabis", "F12.20", "", "", {}),
    (1, "on", "", "", "", {}),
    (2, "ventilator", "Z99.11", "", "", {}),
    (1, "oxygen", "Z99.81", "", "", {"nemod": "(long-term) (supplemental)"}),
    (0, "Foreign body", "", "", "", {}),
    (1, "entering through orifice", "", "", "", {}),
    (2, "nose", "T17.1", "", "", {"nemod": "(passage)"}),
    (2, "ear", "T16.-", "", "", {}),
    (0, "Clot (blood)", "", "", "Embolism", {}),
    (1, "bladder", "N32.89", "", "", {}),
    (0, "History", "", "", "", {}),
    (1, "personal (of)", "", "", "", {}),
    (2, "embolism", "Z86.718", "", "", {"nemod": "(venous)"}),
    (0, "Dysplasia", "", "", "Anomaly", {}),
    (1, "hip, congenital", "Q65.89", "", "", {}),
]
# The Neoplasm Table's rows (FY2025): "lymph > node" has no cells, only "see also Neoplasm,
# lymph gland".
NEOPLASM_ROWS = [
    (0, "Neoplasm, neoplastic", "", "", "", {}),
    (
        1,
        "axilla, axillary",
        "",
        "",
        "",
        {"malignant_primary": "C76.1", "malignant_secondary": "C79.89"},
    ),
    (1, "lymph, lymphatic channel NEC", "", "", "", {"malignant_secondary": "C79.89"}),
    (2, "gland", "", "", "", {"nemod": "(secondary)", "malignant_secondary": "C77.9"}),
    (3, "axilla, axillary", "", "", "", {"malignant_secondary": "C77.3"}),
    (3, "groin", "", "", "", {"malignant_secondary": "C77.4"}),
    (2, "node", "", "", "Neoplasm, lymph gland", {}),
    (3, "primary NEC", "", "", "", {"malignant_primary": "C96.9"}),
    (1, "peritoneum, peritoneal", "", "", "", {"malignant_secondary": "C78.6"}),
]


class Book:
    """Each code is its own billable code (the real CodeBook resolves "-" and sides)."""

    def resolve(self, code: str, finding: frozenset[str]) -> str:
        return code


@pytest.fixture(scope="module")
def index() -> AlphabeticIndex:
    neoplasm = build_tree(NEOPLASM_ROWS)
    return AlphabeticIndex(roots=build_tree(INDEX_ROWS), neoplasm=neoplasm[0].children)


# ---------------------------------------------------------------- 1. status


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("has a gastrostomy", "Z931"),  # Status, gastrostomy
        ("pt has an insulin pump in place, status", "Z9641"),  # Presence, insulin pump
        ("on home oxygen 2l", "Z9981"),  # Dependence, oxygen
        ("on a ventilator", "Z9911"),  # Dependence, on, ventilator
        ("on dialysis", "Z992"),  # Status, dialysis
        # Status, organ replacement, by ... prosthesis of, joint, knee: see Presence, knee
        # joint implant
        ("s/p knee replacement", "Z9665-"),
        ("hx right total knee arthroplasty", "Z9665-"),
        # What the words name themselves comes before the organ replacement path.
        ("hx breast implant", "Z9882"),
    ],
)
def test_a_status_is_read_under_status_presence_and_dependence(index, query, code):
    assert status_codes(index, Book(), query)[0] == code


def test_dependence_gives_only_its_status_codes_and_an_unnamed_status_gives_none(index):
    assert status_codes(index, Book(), "on cannabis") == []  # F12.20 is no status
    assert status_codes(index, Book(), "has a rash") == []


def test_a_status_is_said_in_so_many_words():
    for said in ["has a g-tube", "pt has an insulin pump in place", "on home oxygen 2L"]:
        assert says_status(said)
    for said in [
        "insulin pump supplies",
        "broke my wrist",
        "oxygen concentrator rental",
        "on the ventilator for 3 days",  # the procedure (5A1945Z), not a status
    ]:
        assert not says_status(said)


def test_a_status_is_no_reading_when_icd10cm_is_filtered_out():
    from medcode.search.facade import make_filters, states_status

    # HCPCS alone has no status codes: the query keeps its supplies and procedures. (The
    # filter is read before the Index, so no database is touched.)
    for system in ("HCPCS", "ICD10PCS", ["HCPCS", "CPT"]):
        assert not states_status(
            "has a g-tube", make_filters(system=system, billable=None, on=None)
        )


def test_a_drug_taken_for_good_is_a_status_when_nothing_else_is_said():
    assert is_drug_status("on plavix") and is_drug_status("on coumadin")
    assert not is_drug_status("on warfarin, INR is 6")  # the finding is asked for
    assert not is_drug_status("bleeding gums on warfarin")
    # Brand names read in their established name (laywords.BRAND_NAMES).
    assert generic_reading("on Plavix") == "on clopidogrel"
    assert generic_reading("on coumadin") == "on warfarin"


def test_a_word_naming_a_main_term_that_refers_to_another_is_read_as_that_term(index):
    # Clot (blood): see also Embolism; History, personal, embolism Z86.718.
    assert see_alias_reading(index, "history of blood clots") == "history of blood embolism"
    assert see_alias_reading(index, "history of embolism") is None
    words = frozenset(stems("history of blood embolism history personal"))
    assert [h.code for h in index.lookup_under("history", words)] == ["Z86718"]


def test_a_heart_bypass_is_the_coronary_artery_bypass():
    groups = expand_synonyms(["s", "p", "triple", "bypass"])
    assert ("coronary", "artery", "bypass", "graft") in groups[-1]


# ---------------------------------------------------------------- 2. spread


@pytest.mark.parametrize(
    ("query", "site"),
    [
        ("colon cancer spread to the liver", "liver"),
        ("cancer spread to the bone marrow", "bone marrow"),
        ("breast ca spread to axillary lymph nodes", "axillary lymph nodes"),
        ("breast cancer with liver mets", "liver"),
        ("prostate cancer, bone metastases", "bone"),
        ("peritoneal carcinomatosis", "peritoneal"),
        ("secondary bone cancer", "bone"),
        ("metastatic liver lesions", "liver"),
        ("secondary malignancy of liver", "liver"),
        ("metastatic disease to spine", "spine"),
        ("metastatic lung cancer to the brain", "brain"),
    ],
)
def test_every_way_of_saying_a_spread_asks_for_the_sites_secondary_column(query, site):
    assert neoplasm_readings(query) == [f"secondary malignant neoplasm {site}"]


def test_each_site_of_a_spread_is_read_and_a_primary_said_metastatic_is_no_site():
    assert neoplasm_readings("lung cancer with mets to brain and bone") == [
        "secondary malignant neoplasm brain",
        "secondary malignant neoplasm bone",
    ]
    # "metastatic breast cancer": a breast cancer that has spread (the primary's site).
    assert neoplasm_readings("metastatic breast cancer") == []
    assert neoplasm_readings("breast cancer metastatic") == []
    assert neoplasm_readings("lung ca metastatic") == []
    assert neoplasm_readings("liver lesion metastatic") == ["secondary malignant neoplasm liver"]
    assert neoplasm_readings("went to the er with chest pain") == []


@pytest.mark.parametrize(
    ("reading", "code"),
    [
        ("secondary malignant neoplasm axillary lymph nodes", "C773"),
        ("secondary malignant neoplasm lymph nodes", "C779"),
        ("secondary malignant neoplasm groin lymph nodes", "C774"),
        ("secondary malignant neoplasm peritoneal", "C786"),
    ],
)
def test_a_neoplasm_table_row_without_cells_is_read_on_in_the_row_it_names(index, reading, code):
    assert index.lookup(reading)[0].code == code


# ---------------------------------------------------------------- 3. Table of Drugs

DRUG_ROWS = [
    (0, "Lithium", {"poisoning_accidental": "T56.891", "adverse_effect": "--"}),
    (1, "gluconate", {"poisoning_accidental": "T43.591"}),
    (1, "salts", {"nemod": "(carbonate)", "poisoning_accidental": "T43.591"}),
    (0, "Iron NEC", {"nemod": "(compounds) (medicinal)", "poisoning_accidental": "T45.4X1"}),
]


def test_a_substance_is_named_by_its_subterms_nonessential_modifier():
    table = build_table(DRUG_ROWS)
    assert table_codes(table, "accidental overdose of lithium carbonate") == ["T43591"]
    assert table_codes(table, "accidental overdose of lithium") == ["T56891"]
    # The main term's own modifier words name no subterm.
    assert table_codes(table, "overdose of medicinal iron") == ["T454X1"]


# ---------------------------------------------------------------- 4. lay conditions


def test_something_stuck_into_a_body_opening_is_a_foreign_body_entering_through_it(index):
    assert foreign_body_readings("kid stuck a bead up his nose") == [
        "foreign body entering through orifice nose"
    ]
    assert foreign_body_readings("pushed a pebble in her ear") == [
        "foreign body entering through orifice ear"
    ]
    assert foreign_body_readings("put a cast on my arm") == []
    assert index.lookup("foreign body entering through orifice nose")[0].code == "T171"


def test_a_term_without_a_code_is_read_on_below_a_grouping_the_query_does_not_say(index):
    assert [h.code for h in index.lookup("foreign body in the nose")] == ["T171"]


@pytest.mark.parametrize(
    ("query", "weeks"),
    [
        ("baby born premature at 31 wks", 31),
        ("premature baby born at 32 weeks", 32),
        ("32 weeker in the nicu", 32),
        ("infant born at 30 weeks with jaundice", 30),
    ],
)
def test_a_babys_weeks_are_read_in_any_order(query, weeks):
    assert born_at_readings(query) == [f"preterm newborn gestational age {weeks} completed weeks"]


def test_weeks_of_a_pregnancy_or_an_age_are_no_prematurity():
    assert born_at_readings("preterm labor at 32 weeks") == []
    assert born_at_readings("baby is breech at 34 weeks") == []
    assert born_at_readings("my baby is 10 weeks old") == []
    assert born_at_readings("born at 39 weeks, healthy") == []


def test_a_babys_condition_is_read_down_the_congenital_subterms(index):
    assert congenital_readings("hip dysplasia in infant") == ["hip dysplasia in   congenital"]
    assert congenital_readings("hip dysplasia") == []
    assert index.lookup(congenital_readings("hip dysplasia in infant")[0])[0].code == "Q6589"


# ---------------------------------------------------------------- on the real releases

KINDS = {
    "has a g-tube": "Z931",  # Status, gastrostomy
    "has a j-tube": "Z934",  # Status, jejunostomy
    "pt has an insulin pump in place, status": "Z9641",  # Presence, insulin pump
    "on home oxygen": "Z9981",  # Dependence, oxygen
    "hx left total hip arthroplasty": "Z96642",  # Presence, hip-joint implant, left
    "s/p right knee replacement": "Z96651",  # Presence, knee-joint implant, right
    "s/p R THA": "Z96641",  # the side letter spelt out: Presence, hip-joint implant, right
    # Long-term (current) drug therapy (use of), anticoagulants Z79.01 (Coumadin: warfarin)
    "on coumadin": "Z7901",
    "cancer spread to the bone marrow": "C7952",  # Neoplasm, marrow, secondary
    "peritoneal carcinomatosis": "C786",  # Carcinomatosis, peritonei
    "breast ca spread to axillary lymph nodes": "C773",  # Neoplasm, lymph gland, axilla
    "liver mets": "C787",  # Neoplasm, liver, secondary
    "accidental overdose of lithium carbonate": "T43591A",  # Lithium, salts (carbonate)
    "meth addiction": "F1520",  # Dependence, methamphetamine: see ... stimulant NEC
    "kid stuck a bead up his nose": "T171XXA",  # Foreign body, entering through orifice, nose
    "baby born premature at 31 wks": "P0734",  # Preterm, newborn, 31 completed weeks
    "hip dysplasia in infant": "Q6589",  # Dysplasia, hip, congenital
    "my right ring finger keeps locking": "M65341",  # Snapping, finger: see Trigger finger
}


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_kinds_find_the_index_code_in_the_top_3_on_the_real_releases(real_cm_lay, lexical_only):
    assert top3_misses(KINDS) == {}

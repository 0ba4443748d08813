"""Kinds of lay query the official index answers: the Table of Drugs column a query's words ask
for (poisoning by intent, adverse effect, underdosing, venom), sides written as clinicians
write them (OD/OS/OU beside an eye word, R and L), the 7th character of a follow-up visit,
the trimester of a pregnancy stated in weeks, procedure and supply wording (ORIF, ECT, EKG,
wound vac), and eye, ear and cancer abbreviations."""

from __future__ import annotations

import datetime as dt

import pytest

from medcode.search.drug_table import (
    ACCIDENTAL,
    ADVERSE,
    ASSAULT,
    SELF_HARM,
    UNDERDOSING,
    build_table,
    intent_column,
    table_codes,
)
from medcode.search.procedures import pcs_words
from medcode.search.querytext import expand_synonyms, parse_query, side_words
from medcode.search.ranking import Doc, is_weeks_only, query_encounter, query_trimester
from medcode.search.tests.builders import import_real, top3_misses


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("overdose on oxycodone", ACCIDENTAL),
        ("took too many sleeping pills", ACCIDENTAL),
        ("toddler swallowed grandpa's pills", ACCIDENTAL),
        ("stung by a wasp", ACCIDENTAL),
        ("took the pills to kill herself", SELF_HARM),
        ("suicide attempt with acetaminophen", SELF_HARM),
        ("overdose on purpose", SELF_HARM),
        # "On purpose" by someone else is an assault; homicidal ideation is no assault.
        ("someone poisoned him on purpose", ASSAULT),
        ("homicidal ideation, took too many xanax", ACCIDENTAL),
        ("rash from amoxicillin", ADVERSE),
        ("side effect of metformin", ADVERSE),
        ("bleeding, warfarin too high though taken as prescribed", ADVERSE),
        ("missed doses of insulin", UNDERDOSING),
        ("ran out of her seizure medicine", UNDERDOSING),
        # OD beside an eye word is the right eye (querytext.side_words), not an overdose.
        ("steroid induced glaucoma OD", ADVERSE),
        ("cataract OS from prednisone", ADVERSE),
        ("tylenol od", ACCIDENTAL),
        # A status, a symptom and a drug alone ask for no column of the Table.
        ("allergic to penicillin", None),
        ("food gets stuck when I swallow", None),
        ("amoxicillin 500 mg", None),
    ],
)
def test_it_reads_the_table_column_the_words_ask_for(query, column):
    assert intent_column(query) == column


def _cells(code: str, *, adverse: bool = True) -> dict[str, str]:
    """A Table row's cells: code stem + 1..6 as the Table's columns number them."""
    cells = {
        "poisoning_accidental": f"{code}1",
        "poisoning_intentional_self_harm": f"{code}2",
        "poisoning_assault": f"{code}3",
        "poisoning_undetermined": f"{code}4",
        "adverse_effect": f"{code}5" if adverse else "--",
        "underdosing": f"{code}6" if adverse else "--",
    }
    return cells


# (level, term, cells) as the importer loads the Table of Drugs and Chemicals (FY2025 rows).
TABLE_ROWS = [
    (0, "Oxycodone", _cells("T40.2X")),
    (0, "Spider", {**_cells("T63.39", adverse=False), "nemod": "(bite) (venom)"}),
    (0, "Venom, venomous", {**_cells("T63.9", adverse=False), "nemod": "(bite) (sting)"}),
    (1, "spider", _cells("T63.30", adverse=False)),
    (2, "black widow", _cells("T63.31", adverse=False)),
    (1, "wasp", _cells("T63.46", adverse=False)),
]


def test_it_finds_the_cell_of_the_substance_in_the_column_asked_for():
    table = build_table(TABLE_ROWS)
    assert table_codes(table, "constipated from oxycodone") == ["T402X5"]
    assert table_codes(table, "oxycodone overdose to kill himself") == ["T402X2"]
    assert table_codes(table, "missed doses of oxycodone") == ["T402X6"]
    assert table_codes(table, "oxycodone 5 mg tablets") == []


def test_a_bite_names_the_venom_entry_through_its_nonessential_modifiers():
    table = build_table(TABLE_ROWS)
    # Venom > spider > black widow (three of the query's words) before Spider NEC (one).
    assert table_codes(table, "bit by a black widow spider")[0] == "T63311"
    assert table_codes(table, "stung by a wasp") == ["T63461"]
    # "sting" alone names no substance: Venom needs a subterm too.
    assert table_codes(table, "bee sting allergy, no reaction") == []


def test_od_os_ou_are_sides_only_beside_an_eye_word():
    assert side_words(["wet", "amd", "od"]) == ["wet", "amd", "right"]
    assert side_words(["cataract", "os"]) == ["cataract", "left"]
    assert side_words(["glaucoma", "ou"]) == ["glaucoma", "bilateral"]
    assert side_words(["tylenol", "od"]) == ["tylenol", "od"]
    assert "bilateral" in parse_query("POAG OU").words


def test_r_and_l_alone_are_sides_but_not_after_a_number():
    assert side_words(["osgood", "schlatter", "r", "knee"])[2] == "right"
    assert side_words(["fx", "l", "distal", "radius"])[1] == "left"
    assert side_words(["saline", "2", "l"]) == ["saline", "2", "l"]


@pytest.mark.parametrize(
    ("query", "seventh"),
    [
        ("f/u visit healing fracture of the wrist", "D"),
        ("follow-up for broken ankle", "D"),
        ("sequela of burn right hand", "S"),
        ("broken ankle", "A"),
        ("non-healing wound left foot", "A"),
    ],
)
def test_it_reads_the_encounter_the_query_asks_for(query, seventh):
    assert query_encounter(parse_query(query).words) == seventh


# Words of ICD-10-PCS titles ("Reposition Left Tibia with Internal Fixation Device, Open
# Approach", "Electroconvulsive Therapy, Bilateral-Single Seizure", "Plain Radiography of
# Bilateral Breasts").
PCS_WORDS = frozenset(
    [
        "reposition",
        "left",
        "right",
        "tibia",
        "ankle",
        "with",
        "internal",
        "fixation",
        "device",
        "open",
        "approach",
        "electroconvulsive",
        "therapy",
        "bilateral",
        "single",
        "seizure",
        "plain",
        "radiography",
        "breasts",
        "breast",
    ]
)


@pytest.mark.parametrize(
    ("query", "trimester"),
    [
        ("preeclampsia at 34 weeks pregnant", "third trimester"),
        ("bleeding, 9 weeks pregnant", "first trimester"),
        ("pregnant 14 weeks, urinary infection", "second trimester"),
        ("gestational hypertension 2nd trimester", "second trimester"),
        # A symptom's duration is not the pregnancy's age.
        ("cough for 3 weeks, pregnant at 30 weeks", "third trimester"),
        ("burning for 2 weeks, 28 weeks pregnant", "third trimester"),
        ("ran 5 weeks of antibiotics", None),  # weeks, but no pregnancy
        ("preeclampsia", None),
    ],
)
def test_it_reads_the_trimester_from_the_weeks_of_a_pregnancy(query, trimester):
    assert query_trimester(parse_query(query).words) == trimester


def test_weeks_of_gestation_follow_the_condition_the_query_names():
    z3a = Doc(1, "ICD10CM", "Z3A34", True, "code", "Z3A3", "34 weeks gestation of pregnancy")
    assert is_weeks_only(z3a, frozenset(parse_query("preeclampsia at 34 weeks").words))
    assert not is_weeks_only(z3a, frozenset(parse_query("34 weeks pregnant").words))


def test_orif_reads_as_reposition_with_internal_fixation_and_screening_as_no_procedure():
    words = pcs_words(["ORIF", "left", "ankle"], vocabulary=PCS_WORDS)
    assert {"reposition", "internal", "fixation", "device", "open"} <= set(words)
    ect = pcs_words(["ECT", "bilateral"], vocabulary=PCS_WORDS)
    assert ect[:2] == ["electroconvulsive", "therapy"]
    assert pcs_words(["bilateral", "mammogram"], vocabulary=PCS_WORDS)
    assert pcs_words(["screening", "mammogram"], vocabulary=PCS_WORDS) == []


@pytest.mark.parametrize(
    ("abbreviation", "word"),
    [
        ("poag", "glaucoma"),
        ("amd", "macular"),
        ("snhl", "sensorineural"),
        ("dcis", "intraductal"),
        ("cll", "lymphocytic"),
        ("rcc", "kidney"),
        ("xanax", "alprazolam"),
        ("wound vac", "negative"),
    ],
)
def test_abbreviations_and_brands_expand_to_the_titles_words(abbreviation, word):
    groups = expand_synonyms(abbreviation.split())
    assert any(word in alternative for group in groups for alternative in group)


def test_hcc_is_not_read_as_a_liver_cancer():
    # To coders HCC is mostly a Hierarchical Condition Category (risk adjustment).
    groups = expand_synonyms(["hcc", "diabetes"])
    assert not any("carcinoma" in alternative for group in groups for alternative in group)


# ---------------------------------------------------------------- through the search box


@pytest.fixture
def poisoning_store(db):
    """The sample store plus the Table rows above and the codes their cells lead to."""
    from medcode.codes.models import Code, IndexEntry, Release
    from medcode.ops import generation
    from medcode.search.index import rebuild_index
    from medcode.search.tests.builders import build_code_store, make_release

    releases = build_code_store()
    codes = [
        ("T402X1A", "Poisoning by other opioids, accidental (unintentional), initial encounter"),
        ("T402X2A", "Poisoning by other opioids, intentional self-harm, initial encounter"),
        ("T402X5A", "Adverse effect of other opioids, initial encounter"),
        ("T402X6A", "Underdosing of other opioids, initial encounter"),
        ("T63311A", "Toxic effect of venom of black widow spider, accidental, initial encounter"),
        ("J2270", "Injection, morphine sulfate, up to 10 mg"),
        ("K5900", "Constipation, unspecified"),
        ("K5903", "Drug induced constipation"),
    ]
    Code.objects.bulk_create(
        Code(
            release=releases["cm"] if code[0] != "J" else releases["hcpcs"],
            system="ICD10CM" if code[0] != "J" else "HCPCS",
            code=code,
            display=code if code[0] == "J" else f"{code[:3]}.{code[3:]}",
            long_description=title,
            is_billable=True,
        )
        for code, title in codes
    )
    table = make_release("icd10cm_drug", "ICD10CM", "FY2025", dt.date(2024, 10, 1))
    Release.objects.filter(pk=table.pk).update(row_counts={"index_entries": len(TABLE_ROWS)})
    IndexEntry.objects.bulk_create(
        IndexEntry(release=table, table="drug", seq=i, level=level, term=term, cells=cells)
        for i, (level, term, cells) in enumerate(TABLE_ROWS)
    )
    rebuild_index(force=True)
    generation.bump()
    return releases


def test_a_poisoning_query_leads_with_the_table_cell_for_its_intent(poisoning_store, lexical_only):
    from medcode.search.facade import search

    assert search("oxycodone overdose").results[0].code == "T402X1A"
    assert search("took oxycodone to kill himself").results[0].code == "T402X2A"
    assert search("ran out of oxycodone").results[0].code == "T402X6A"
    assert search("bit by a black widow spider").results[0].code == "T63311A"


def test_an_adverse_effect_query_finds_the_drug_induced_condition_and_the_t_code(
    poisoning_store, lexical_only
):
    from medcode.search.facade import search

    top = [r.code for r in search("constipated from oxycodone").results[:3]]
    assert "T402X5A" in top
    assert "K5903" in top


def test_a_drug_named_alone_is_not_read_in_the_table(poisoning_store, lexical_only):
    from medcode.search.facade import search

    codes = [r.code for r in search("oxycodone").results]
    assert not [c for c in codes if c.startswith("T40")]


# ---------------------------------------------------------------- on the real releases

REAL_FILES = (
    "icd10cm_codes_2026.csv.gz",
    "icd10cm_index_2025.csv.gz",
    "icd10cm_drug_table_2025.csv.gz",
    "icd10cm_external_cause_index_2025.csv.gz",
    "hcpcs_level2_2024_07.csv.gz",
)
# query -> the code a coder is sent to, in the top 3 (each a kind, none an evaluation item).
REAL_EXAMPLES = {
    "overdose on oxycodone": "T402X1A",  # Table: Oxycodone, poisoning, accidental
    "rash from amoxicillin": "T360X5A",  # Table: Amoxicillin, adverse effect
    "missed doses of insulin": "T383X6A",  # Table: Insulin, underdosing
    "stung by a wasp": "T63461A",  # Table: Venom, wasp
    "dry AMD OS": "H353120",  # nonexudative AMD, left eye, stage unspecified
    "CML": "C9210",  # chronic myeloid leukemia, BCR/ABL-positive, not in remission
    "f/u visit healing fx right patella": "S82001D",  # subsequent encounter, routine healing
    "gestational hypertension at 30 weeks": "O133",  # third trimester, by the weeks
    "slipped on ice in the parking lot": "W000XXA",  # External Cause Index: Slipping, on, ice
    # Typo fixing must not change the column asked for ("skipped" is no typo of "slipped").
    "skipped doses of lisinopril": "T464X6A",  # Table: Lisinopril, underdosing
    "smoked too much weed": "T40711A",  # Table: Cannabis, poisoning, accidental
    # Accident, transport, pedestrian, on foot, collision, pick-up truck or van, traffic
    "pedestrian struck by a pickup truck": "V0310XA",
    "kicked by a cow": "W5522XA",  # Butted by animal, cow (struck by cow)
}


@pytest.mark.fulldata
@pytest.mark.django_db
def test_lay_kinds_find_the_code_in_the_top_3_on_the_real_releases(shared_data_dir, lexical_only):
    import_real(shared_data_dir, REAL_FILES)
    assert top3_misses(REAL_EXAMPLES) == {}


# ---------------------------------------------------------------- the External Cause Index

# (level, term, code, see, see_also, cells) as the importer loads the Index to External
# Causes (FY2025 rows).
EXTERNAL_ROWS = [
    (0, "Contact", "", "", "", {}),
    (1, "with", "", "", "", {}),
    (2, "knife", "W26.0", "", "", {}),
    (0, "Cut, cutting", "", "", "Contact, with, by object or machine", {}),
    (0, "Fall, falling", "W19", "", "", {"nemod": "(accidental)"}),
    (1, "out of", "", "", "", {}),
    (2, "bed", "W06", "", "", {}),
    (0, "Slipping", "W01.0", "", "", {}),
    (1, "on", "", "", "", {}),
    (2, "ice", "W00.0", "", "", {}),
]


def test_the_external_cause_index_reads_how_an_injury_happened_in_everyday_words():
    from medcode.search.external_causes import external_codes
    from medcode.search.index_matcher import AlphabeticIndex
    from medcode.search.index_matcher import build_tree as build_index

    index = AlphabeticIndex(roots=build_index(EXTERNAL_ROWS), neoplasm=[])
    assert external_codes(index, "slipped on the ice outside") == ["W000"]
    assert external_codes(index, "cut myself with a kitchen knife") == ["W260"]
    assert external_codes(index, "fell out of bed") == ["W06"]
    # A main term alone ("Fall, falling" W19) says less than the query: not offered.
    assert external_codes(index, "fell at home") == []


# ------------------------------------------- transport, activity, animals (External Cause Index)

# FY2025 rows of the Index to External Causes (a subset, levels as loaded).
TRANSPORT_ROWS: list[tuple[int, str, str, str, str, dict[str, str]]] = [
    (0, "Accident", "X58", "", "", {}),
    (1, "transport", "V99", "", "", {}),
    (2, "pedal cyclist", "V19.9", "", "", {}),
    (3, "collision", "", "", "", {}),
    (4, "car", "V13.9", "", "", {}),
    (5, "nontraffic", "V13.2", "", "", {}),
    (4, "pickup truck", "V13.9", "", "", {}),
    (5, "nontraffic", "V13.2", "", "", {}),
    (3, "noncollision accident", "V18.9", "", "", {}),
    (4, "nontraffic", "V18.2", "", "", {}),
    (2, "pedestrian", "", "", "", {}),
    (3, "on foot", "", "", "Accident, pedestrian", {}),
    (4, "collision", "", "", "", {}),
    (5, "car", "V03.90", "", "", {}),
    (6, "nontraffic", "V03.00", "", "", {}),
    (6, "traffic", "V03.10", "", "", {}),
    (0, "Activity", "Y93.9", "", "", {}),
    (1, "running", "Y93.02", "", "", {}),
    (0, "Bite, bitten by", "", "", "", {}),
    (1, "arthropod NEC", "W57", "", "", {}),
    (0, "Butted by animal", "W55.82", "", "", {}),
    (1, "horse", "W55.12", "", "", {}),
    (0, "Kicked by", "", "", "", {}),
    (1, "animal NEC", "W55.82", "", "", {}),
    (1, "person", "W50.1", "", "", {}),
]


def test_a_transport_accident_is_read_by_the_victims_way_and_the_counterpart():
    from medcode.search.external_causes import external_codes, transport_reading
    from medcode.search.index_matcher import AlphabeticIndex
    from medcode.search.index_matcher import build_tree as build_index

    index = AlphabeticIndex(roots=build_index(TRANSPORT_ROWS), neoplasm=[])
    # No place named: a vehicle accident is taken to be on the public highway (traffic).
    assert external_codes(index, "walking and got hit by a car")[:1] == ["V0310"]
    assert external_codes(index, "pedestrian struck by car in a parking lot")[:1] == ["V0300"]
    assert external_codes(index, "cyclist struck by a pickup")[:1] == ["V139"]
    assert external_codes(index, "fell off her bicycle")[:1] == ["V189"]
    # A pedestrian's fall with no vehicle is no transport accident.
    assert transport_reading("pedestrian fell on the sidewalk") == ""


def test_activity_tick_and_an_animals_kick_are_read_in_the_index_words():
    from medcode.search.external_causes import external_codes
    from medcode.search.index_matcher import AlphabeticIndex
    from medcode.search.index_matcher import build_tree as build_index

    index = AlphabeticIndex(roots=build_index(TRANSPORT_ROWS), neoplasm=[])
    assert external_codes(index, "hurt while jogging, activity") == ["Y9302"]
    assert external_codes(index, "tick bite on the leg") == ["W57"]
    assert external_codes(index, "kicked by a horse") == ["W5512"]
    assert external_codes(index, "kicked by a person") == ["W501"]


def test_the_external_cause_words_are_not_taken_for_typos():
    from medcode.search.external_causes import own_words

    assert {"fell", "jogging", "bike", "kicked", "tick"} <= own_words()


# ---------------------------------------------------------------- PCS body words and stitches


def _split(text: str) -> list[str]:
    return text.replace(",", " ").split()


PCS_BODY_WORDS = frozenset(
    _split(
        """repair face skin external right left patella clavicle sternum scapula tibia lower arm
        reposition ultrasonography heart open muscle"""
    )
)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("stitches for a cut on the face", {"repair", "face", "skin", "external"}),
        ("sutured laceration of the left forearm", {"repair", "left", "lower", "arm", "skin"}),
        ("kneecap put back, right", {"reposition", "right", "patella"}),
        ("collarbone repair, open", {"repair", "clavicle", "open"}),
        ("breastbone repair", {"repair", "sternum"}),
        ("shoulder blade repair", {"repair", "scapula"}),
        ("shin bone repair", {"repair", "tibia"}),
    ],
)
def test_lay_body_words_and_stitches_read_as_pcs_values(q, expected):
    from medcode.search.procedures import pcs_words

    assert expected <= set(pcs_words(_split(q), vocabulary=PCS_BODY_WORDS))


def test_a_deeper_layer_named_keeps_a_repair_off_the_skin():
    from medcode.search.procedures import pcs_words

    words = pcs_words(_split("cut forearm muscle sewn up"), vocabulary=PCS_BODY_WORDS)
    assert "muscle" in words
    assert "skin" not in words


def test_an_echo_through_the_chest_wall_names_no_body_part_but_the_heart():
    from medcode.search.procedures import pcs_words

    words = pcs_words(
        _split("echo through the chest wall"), vocabulary=PCS_BODY_WORDS | {"chest", "wall"}
    )
    assert "chest" not in words
    assert {"ultrasonography", "heart"} <= set(words)


def test_an_external_cause_word_is_not_corrected_into_a_title_word(poisoning_store, lexical_only):
    from medcode.codes.models import Code
    from medcode.ops import generation
    from medcode.search.facade import search
    from medcode.search.index import rebuild_index

    # A title word one edit from "fell": the typo pass showed "cell off my bike" before.
    Code.objects.create(
        release=poisoning_store["cm"],
        system="ICD10CM",
        code="D5700",
        display="D57.00",
        long_description="Hb-SS disease with crisis, unspecified (sickle cell)",
        is_billable=True,
    )
    rebuild_index(force=True)
    generation.bump()
    assert "fell" not in search("fell off my bike").corrections
    assert search("morphne").corrections == {"morphne": "morphine"}  # typos still fixed

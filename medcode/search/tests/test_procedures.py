"""Procedure queries read in ICD-10-PCS words (procedures.py), and the search box routing
them to ICD-10-PCS."""

import pytest

from medcode.search.procedures import ending_words, pcs_words, ventilation_hours

# Words of ICD-10-PCS titles, as the loaded index would have them.
VOCABULARY = frozenset(
    [
        "resection",
        "excision",
        "inspection",
        "replacement",
        "repair",
        "supplement",
        "drainage",
        "detachment",
        "occlusion",
        "insertion",
        "introduction",
        "respiratory",
        "ventilation",
        "less",
        "greater",
        "than",
        "24",
        "96",
        "consecutive",
        "hours",
        "right",
        "left",
        "kidney",
        "uterus",
        "breast",
        "appendix",
        "knee",
        "hip",
        "joint",
        "synthetic",
        "substitute",
        "open",
        "percutaneous",
        "endoscopic",
        "via",
        "natural",
        "or",
        "artificial",
        "opening",
        "bladder",
        "large",
        "intestine",
        "lower",
        "upper",
        "intestinal",
        "tract",
        "stomach",
        "diagnostic",
        "inguinal",
        "region",
        "spleen",
        "lens",
        "fallopian",
        "tubes",
        "leg",
        "peripheral",
        "vein",
        "anti-infective",
        "vaccine",
        "muscle",
        "heart",
        "fragmentation",
        "external",
        "pelvis",
        "back",
        "elbow",
    ]
)


def read(q: str) -> list[str]:
    return pcs_words(q.split(), vocabulary=VOCABULARY)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("right kidney taken out", {"resection", "right", "kidney"}),
        ("nephrectomy", {"resection", "kidney"}),
        ("laparoscopic hysterectomy", {"resection", "uterus", "percutaneous", "endoscopic"}),
        ("cystoscopy", {"inspection", "bladder", "via", "natural", "opening", "endoscopic"}),
        ("arthroscopy right knee", {"inspection", "joint", "percutaneous", "endoscopic"}),
        ("appendix out, open", {"resection", "appendix", "open"}),
        ("left knee replacement", {"replacement", "left", "knee", "synthetic", "substitute"}),
        ("left kidney stone broken up with shock waves", {"fragmentation", "external", "kidney"}),
        ("polyp snared in the large intestine", {"excision", "large", "intestine"}),
    ],
)
def test_procedure_words_become_root_operation_body_part_and_approach(q, expected):
    assert expected <= set(read(q))


def test_a_scope_with_a_biopsy_is_an_excision_of_a_segment():
    words = read("colonoscopy with biopsy")
    assert {"excision", "diagnostic", "large", "intestine"} <= set(words)
    assert "inspection" not in words


def test_mesh_makes_a_hernia_repair_a_supplement():
    words = read("lap inguinal hernia repair right with mesh")
    assert {"supplement", "inguinal", "region", "synthetic", "substitute"} <= set(words)
    assert "repair" not in words


@pytest.mark.parametrize(
    "q",
    [
        "passed out",  # "out" names no body part
        "hair falling out",
        "getting chemo",  # a substance, nothing it was done to: an encounter
        "had heart bypass surgery years ago",  # a status, not a procedure
        "infected knee replacement",  # a complication
        "cloudy lens, cataract",  # the condition
        "pulled muscle in my back",  # an injury, not an extraction
        "scraped my elbow",
        "asthma",
    ],
)
def test_conditions_statuses_and_complications_are_not_procedures(q):
    assert read(q) == []


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("on the vent less than a day", ("less", "24")),
        ("ventilator for 2 days", ("24", "96")),
        ("mechanical ventilation more than 4 days", ("greater", "96")),
        ("on the breathing machine for 36 hours", ("24", "96")),
        ("ventilation for a week", ("greater", "96")),
        ("ventilation", ()),
    ],
)
def test_ventilation_time_picks_the_duration_the_titles_name(text, bucket):
    assert ventilation_hours(text) == bucket


def test_a_surgical_word_splits_into_operation_and_body_part():
    assert ending_words("splenectomy") == ("resection", "spleen")
    assert ending_words("bronchoscopy")[:3] == ("inspection", "tracheobronchial", "tree")
    assert ending_words("appendix") == ()


@pytest.mark.django_db
def test_search_routes_a_lay_procedure_to_its_pcs_code(code_store, lexical_only):
    from medcode.search.facade import search

    assert search("appendix taken out by keyhole").results[0].code == "0DTJ4ZZ"
    assert search("right hip replacement").results[0].code == "0SR90J9"
    # The condition is still the condition.
    assert search("appendicitis").results[0].code == "K3580"


@pytest.mark.django_db
def test_the_search_box_reads_a_condition_through_the_alphabetic_index(code_store, lexical_only):
    from medcode.search.facade import index_reading_hits, make_filters, search
    from medcode.search.models import Document

    filters = make_filters(system=None, billable=None, on=None)
    codes = dict(Document.objects.values_list("id", "code"))
    # Main term and subterms, resolved to the billable code the words describe.
    hits = [codes[i] for i in index_reading_hits("broken neck of femur", filters, typing=False)]
    assert hits and hits[0].startswith("S7200")
    assert search("broken neck of femur").results[0].code.startswith("S7200")
    assert index_reading_hits("appendicitis", filters, typing=True) == []  # autocomplete
    pcs_only = make_filters(system="icd10pcs", billable=None, on=None)
    assert index_reading_hits("appendicitis", pcs_only, typing=False) == []


def test_side_words_alone_name_no_site():
    # "drainage right" (words in thousands of PCS titles) is not read as a procedure
    assert read("drainage right") == []


def test_a_negation_denies_an_operation_in_its_own_clause_only():
    # "no appendectomy": not done; "no bleeding, appendectomy": the comma ends the denial.
    assert read("no appendectomy") == []
    assert {"resection", "appendix"} <= set(read("no bleeding, appendectomy"))
    assert {"resection", "appendix"} <= set(read("tolerated well; no bleeding. appendectomy"))

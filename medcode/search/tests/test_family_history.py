"""Family history codes (Z80-Z84) in note mode: a relative's condition gives the code of the
Index's "History, family" subterm, or the one whose Tabular inclusion terms hold the code the
condition would have; the condition itself is never the patient's. And smoking read as the
Index reads it: a smoker, a former smoker, a non-smoker."""

import pytest

from medcode.search.codebook import CodeBook
from medcode.search.family_history import build_table, family_wording, resolve_family
from medcode.search.index_matcher import AlphabeticIndex, build_tree
from medcode.search.note_coder import family_hits
from medcode.search.notes_findings import find_findings
from medcode.search.tobacco import index_words, smoking

# Tabular inclusion terms as the FY2026 release words them (icd10cm_tabular_notes).
INCLUSIONS = [
    ("Z800", "Conditions classifiable to C15-C26"),
    ("Z803", "Conditions classifiable to C50.-"),
    ("Z804", "Conditions classifiable to C51-C63"),
    ("Z809", "Conditions classifiable to C80.1"),
    ("Z812", "Conditions classifiable to F17.-"),
    ("Z818", "Conditions classifiable elsewhere in F01-F99"),
    ("Z823", "Conditions classifiable to I60-I64"),
    ("Z824", "Conditions classifiable to I00-I5A, I65-I99"),
    ("Z833", "Conditions classifiable to E08-E13"),
    ("Z834", "Conditions classifiable to E00-E07, E15-E88"),
    ("Z837", "Conditions classifiable to D12, K00-K93"),
    ("Z83710", "Conditions classifiable to D12.-"),
    ("Z83438", "Family history of familial combined hyperlipidemia"),
]
TITLES = {
    "C189": "Malignant neoplasm of colon, unspecified",
    "C569": "Malignant neoplasm of unspecified ovary",
    "C549": "Malignant neoplasm of corpus uteri, unspecified",
    "I10": "Essential (primary) hypertension",
    "I219": "Acute myocardial infarction, unspecified",
    "E119": "Type 2 diabetes mellitus without complications",
    "Z800": "Family history of malignant neoplasm of digestive organs",
    "Z804": "Family history of malignant neoplasm of genital organs",
    "Z8041": "Family history of malignant neoplasm of ovary",
    "Z8042": "Family history of malignant neoplasm of prostate",
    "Z8049": "Family history of malignant neoplasm of other genital organs",
    "Z824": "Family history of ischemic heart disease and other diseases of the circulatory system",
    "Z8241": "Family history of sudden cardiac death",
    "Z8249": "Family history of ischemic heart disease and other diseases of the circulatory "
    "system",
    "Z833": "Family history of diabetes mellitus",
    "Z83438": "Family history of other disorder of lipoprotein metabolism and lipidemia",
}
BILLABLE = {c for c in TITLES if c not in {"Z804", "Z824"}}
INDEX_ROWS = [
    (0, "Attack, attacks", "", "", "", {}),
    (1, "heart", "", "Infarct, myocardium", "", {}),
    (0, "Infarct, infarction", "", "", "", {}),
    (1, "myocardium, myocardial", "I219", "", "", {"nemod": "(acute)"}),
    (0, "Diabetes, diabetic", "E119", "", "", {"nemod": "(mellitus)"}),
    (0, "Hypertension, hypertensive", "I10", "", "", {}),
    (0, "History", "", "", "", {}),
    (1, "family", "", "", "", {"nemod": "(of)"}),
    (2, "lipidemia NEC", "Z83438", "", "", {}),
    (1, "personal", "", "", "", {"nemod": "(of)"}),
    (2, "diabetes mellitus", "Z8639", "", "", {}),
]
NEOPLASM_ROWS = [
    (0, "Neoplasm, neoplastic", "", "", "", {}),
    (1, "colon", "", "", "", {"malignant_primary": "C18.9"}),
    (1, "ovary", "", "", "", {"malignant_primary": "C56.9"}),
]


def book() -> CodeBook:
    return CodeBook(codes=sorted(BILLABLE), titles=TITLES)


def index() -> AlphabeticIndex:
    neoplasm = build_tree(NEOPLASM_ROWS)
    return AlphabeticIndex(roots=build_tree(INDEX_ROWS), neoplasm=neoplasm[0].children)


@pytest.mark.parametrize(
    ("condition", "family"),
    [
        ("C18.9", "Z800"),
        ("C50.911", "Z803"),
        ("C80.1", "Z809"),
        ("F17.210", "Z812"),  # a block's own code before its residual "elsewhere in" one
        ("F32.9", "Z818"),
        ("I63.9", "Z823"),
        ("I10", "Z824"),
        ("I5A", "Z824"),
        ("E11.9", "Z833"),
        ("E78.5", "Z834"),
        ("D12.6", "Z83710"),  # the most specific code whose inclusion terms hold it
        ("K50.90", "Z837"),
        ("J45.909", None),  # no inclusion term in this table holds it
    ],
)
def test_a_condition_is_placed_by_the_tabular_inclusion_terms(condition, family):
    assert build_table(INCLUSIONS).code_for(condition) == family


def test_a_family_category_resolves_to_the_child_the_condition_names_else_the_residual():
    codes = book()
    assert resolve_family(codes, "Z804", codes.words("C569")) == "Z8041"
    assert resolve_family(codes, "Z804", codes.words("C549")) == "Z8049"
    # An infarction or hypertension is not the specific sudden cardiac death (Z82.41).
    assert resolve_family(codes, "Z824", codes.words("I219")) == "Z8249"
    assert resolve_family(codes, "Z833", codes.words("E119")) == "Z833"


@pytest.mark.parametrize(
    ("note", "codes"),
    [
        ("Father had colon cancer at 52.", ["Z800"]),
        ("Mother died of cancer of the ovary.", ["Z8041"]),
        ("Family history of heart attack.", ["Z8249"]),
        ("Mother with hypertension.", ["Z8249"]),
        ("Brother with diabetes.", ["Z833"]),
        ("Family history of hyperlipidemia.", ["Z83438"]),  # Index: lipidemia NEC
    ],
)
def test_a_relatives_condition_gives_its_family_history_code_never_the_condition(note, codes):
    (finding,) = find_findings(note)
    assert finding.assertion == "family"
    found = family_hits(index(), book(), build_table(INCLUSIONS), finding.text)
    assert [code for code, _ in found] == codes


def test_the_index_wording_of_a_lipid_disorder_leaves_familial_hypercholesterolemia_alone():
    assert family_wording("mother with dyslipidemia").endswith("lipidemia")
    assert family_wording("familial hypercholesterolemia") == "familial hypercholesterolemia"


@pytest.mark.parametrize(
    ("text", "is_history", "kind", "words"),
    [
        ("Smokes 1 ppd.", False, "current", "smoker cigarettes"),
        ("Current smoker.", False, "current", "smoker"),
        (
            "History: current smoker, one pack of cigarettes a day",
            True,
            "current",
            "smoker cigarettes",
        ),
        ("Former heavy smoker, quit 2010", False, "former", "nicotine dependence"),
        ("Ex-smoker.", False, "former", "nicotine dependence"),
        ("History of smoking.", True, "former", "nicotine dependence"),
        ("Excessive smoking.", False, "current", "smoker"),
        ("Non-smoker.", False, "never", ""),
        ("Never smoked.", False, "never", ""),
        ("Passive smoking exposure.", False, None, ""),
        ("Chest pain on exertion.", False, None, ""),
    ],
)
def test_a_findings_smoking_is_read_as_current_former_or_never(text, is_history, kind, words):
    assert smoking(text, is_history=is_history) == kind
    if kind is not None:
        assert index_words(text, kind) == words


def test_a_see_reference_takes_the_subterm_it_names_exactly():
    rows: list[tuple[int, str, str, str, str, dict[str, str]]] = [
        (0, "Dependence", "", "", "", {}),
        (1, "combinations of drugs", "F1990", "", "", {}),
        (1, "drug NEC", "", "", "", {}),
        (2, "nicotine", "F17200", "", "", {}),
        (3, "cigarettes", "F17210", "", "", {}),
        (0, "Smoker", "", "Dependence, drug, nicotine", "", {}),
    ]
    found = AlphabeticIndex(roots=build_tree(rows), neoplasm=[])
    assert [h.code for h in found.lookup("current smoker")] == ["F17200"]
    assert [h.code for h in found.lookup("smoker cigarettes")] == ["F17210"]

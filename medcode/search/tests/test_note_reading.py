"""Note mode's pure parts: findings and their assertions, the patient, the Alphabetic Index
reader, long-term drug use, billable resolution and the learned file."""

import gzip
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from medcode.search.codebook import CodeBook, fits_patient, seventh_character_stem
from medcode.search.drug_use import LongTermTable, build_table, find_drug_use
from medcode.search.index_matcher import AlphabeticIndex, build_tree
from medcode.search.learned import (
    LearnedFileError,
    learn,
    note_features,
    read_learned,
    write_learned,
)
from medcode.search.notes_findings import coded_findings, find_findings, read_patient

US_NOTE = (
    "67 y/o male, type 2 diabetes on metformin, essential hypertension. Denies chest pain. "
    "Family history of colon cancer. History of duodenal ulcer. No fever or chills."
)


def assertion(note: str, start: str) -> str:
    return next(f.assertion for f in find_findings(note) if f.text.startswith(start))


def test_a_note_splits_into_clauses_that_slice_back_to_it():
    findings = find_findings(US_NOTE)
    texts = [f.text for f in findings]
    assert "type 2 diabetes on metformin" in texts
    assert "essential hypertension." in texts
    for f in findings:
        assert US_NOTE[f.start : f.end] == f.text


def test_negated_and_family_findings_are_not_coded_but_personal_history_is():
    assert assertion(US_NOTE, "Denies chest pain") == "negated"
    assert assertion(US_NOTE, "No fever") == "negated"
    assert assertion(US_NOTE, "Family history") == "family"
    assert assertion(US_NOTE, "History of duodenal ulcer") == "history"
    coded = [f.text for f in coded_findings(find_findings(US_NOTE))]
    assert "History of duodenal ulcer." in coded
    assert not any("chest pain" in t or "colon cancer" in t or "fever" in t for t in coded)


@pytest.mark.parametrize(
    ("note", "age", "sex"),
    [
        ("67 y/o male, type 2 diabetes", 67, "male"),
        ("A 29-year-old woman with a history of duodenal ulcer", 29, "female"),
        ("45 yo F with cough", 45, "female"),
        ("We present a 3-month-old boy whose mother has asthma", 0.25, "male"),
        ("Fall from ladder, femoral neck fracture", None, None),
    ],
)
def test_the_patient_is_read_from_the_note(note, age, sex):
    patient = read_patient(note)
    assert patient.sex == sex
    assert patient.age == (None if age is None else pytest.approx(age))


def test_codes_the_patient_cannot_have_are_refused():
    assert not fits_patient("O10011", sex="male", age=67)
    assert not fits_patient("Z3A20", sex="male", age=None)
    assert not fits_patient("P0700", sex=None, age=40)
    assert not fits_patient("N400", sex="female", age=None)
    assert fits_patient("O10011", sex="female", age=30)
    assert fits_patient("P0700", sex=None, age=0.1)
    assert fits_patient("I10", sex="male", age=67)


INDEX_ROWS = [
    (0, "Fracture, traumatic", "", "", "", {}),
    (1, "femur, femoral", "S729-", "", "", {}),
    (2, "neck", "", "Fracture, femur, upper end, neck", "", {}),
    (2, "upper end", "S7210-", "", "", {}),
    (3, "neck", "S7200-", "", "", {}),
    (0, "Attack, attacks", "", "", "", {}),
    (1, "heart", "", "Infarct, myocardium", "", {}),
    (0, "Infarct, infarction", "", "", "", {}),
    (1, "myocardium, myocardial", "I219", "", "", {"nemod": "(acute)"}),
    (0, "Diabetes, diabetic", "E119", "", "", {"nemod": "(mellitus)"}),
    (1, "type 1", "E109", "", "", {}),
    (0, "Traction, vitreomacular", "H4382-", "", "", {}),
]
NEOPLASM_ROWS = [
    (0, "Neoplasm, neoplastic", "", "", "", {}),
    (1, "liver", "", "", "", {"malignant_primary": "C22.9", "malignant_secondary": "C78.7"}),
]


def make_index() -> AlphabeticIndex:
    neoplasm = build_tree(NEOPLASM_ROWS)
    return AlphabeticIndex(roots=build_tree(INDEX_ROWS), neoplasm=neoplasm[0].children)


def test_the_index_follows_subterms_and_see_references():
    index = make_index()
    assert index.lookup("displaced right femoral neck fracture")[0].code == "S7200-"
    assert [h.code for h in index.lookup("he had a heart attack")] == ["I219"]
    assert [h.code for h in index.lookup("diabetic, type 1")] == ["E109"]
    assert [h.code for h in index.lookup("diabetes mellitus")] == ["E119"]


def test_a_main_term_without_subterms_needs_all_its_words():
    index = make_index()
    assert index.lookup("urinary tract infection with traction") == []
    assert [h.code for h in index.lookup("vitreomacular traction")] == ["H4382-"]


def test_the_neoplasm_table_is_read_in_the_column_the_behaviour_word_names():
    index = make_index()
    assert [h.code for h in index.lookup("metastatic to liver")] == ["C787"]
    assert [h.code for h in index.lookup("carcinoma of the liver")] == ["C229"]
    assert index.lookup("liver enlarged") == []


def test_a_category_resolves_to_the_billable_code_the_finding_describes():
    titles = {
        "S72001A": "Fracture of unspecified part of neck of right femur, initial encounter",
        "S72001D": "Fracture of unspecified part of neck of right femur, subsequent encounter",
        "S72002A": "Fracture of unspecified part of neck of left femur, initial encounter",
        "S72009A": "Fracture of unspecified part of neck of unspecified femur, initial encounter",
        "I10": "Essential (primary) hypertension",
    }
    book = CodeBook(codes=sorted(titles), titles=titles)
    assert book.resolve("S7200-", {"right", "neck", "femor", "fractur"}) == "S72001A"
    assert book.resolve("S7200-", {"neck", "femor", "fractur"}) == "S72009A"
    assert book.resolve("I10", set()) == "I10"
    assert book.resolve("K35", set()) is None
    assert seventh_character_stem("S72001A") == "S72001"
    assert seventh_character_stem("E1122") is None


def long_term_table() -> LongTermTable:
    long_term = [
        ("anticoagulants", "Z7901"),
        ("aspirin", "Z7982"),
        ("insulin", "Z794"),
        ("oral > antidiabetic", "Z7984"),
        ("non-insulin antidiabetic drug, injectable", "Z7985"),
        ("oral > contraceptive", "Z793"),
        ("antibiotics", "Z792"),
        ("antibiotics > short-term use - omit code", ""),
        ("letrozole", "Z79811"),
        ("alkylating agent", "Z79630"),
    ]
    drugs = [
        ("Agricultural agent NEC", {"adverse_effect": "--", "poisoning_accidental": "T65.91"}),
        ("Cigarettes", {"adverse_effect": "--", "poisoning_accidental": "T65.221"}),
        ("Anticoagulant NEC", {"adverse_effect": "T45.515"}),
        ("Warfarin", {"adverse_effect": "T45.515"}),
        ("Aspirin", {"adverse_effect": "T39.015"}),
        ("Antidiabetic NEC", {"adverse_effect": "T38.3X5"}),
        ("Metformin", {"adverse_effect": "T38.3X5"}),
        ("Insulin", {"adverse_effect": "T38.3X5"}),
        ("Semaglutide", {"adverse_effect": "T38.3X5"}),
    ]
    return build_table([(f" {p}", c) for p, c in long_term], drugs)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("on warfarin.", ["Z7901"]),
        ("type 2 diabetes on metformin", ["Z7984"]),
        ("takes aspirin daily", ["Z7982"]),
        ("on insulin glargine", ["Z794"]),
        ("on semaglutide injection weekly", ["Z7985"]),
        ("warfarin toxicity", []),
        # the cue and the drug as clinicians write them, doses and lists included
        ("has taken aspirin 81 mg daily for several years", ["Z7982"]),
        ("diabetes managed with metformin 1000 mg twice daily", ["Z7984"]),
        (
            "on metformin 1000 mg twice daily and insulin glargine 30 units nightly",
            ["Z7984", "Z794"],
        ),
        ("Medications: warfarin 5 mg daily, aspirin 81 mg daily", ["Z7901", "Z7982"]),
        ("on metformin, was given insulin in the ED", ["Z7984"]),
        ("she is on a combined oral contraceptive pill", ["Z793"]),
        ("on letrozole since diagnosis", ["Z79811"]),  # named by the Index, not the Drug Table
        ("on antibiotics for a week", []),  # the Index: short-term use, omit code
        ("one pack of cigarettes per day", []),
        ("uses cigarettes daily", []),  # a chemical has no adverse effect ("--"), so no class
        # a drug stopped is no drug in use
        ("was taken off warfarin last year", []),
        ("Discontinued medications: warfarin 5 mg daily", []),
        ("Stopped meds: aspirin", []),
        ("He stopped taking aspirin last month", []),
        ("no longer on insulin since March, now on metformin", ["Z7984"]),
        ("not on any anticoagulant; not taking warfarin", []),
        # an allergy is no drug in use
        ("Pain on the left side, aspirin allergy noted", []),
        ("taking metformin; aspirin intolerance", ["Z7984"]),
    ],
)
def test_long_term_drug_use_comes_from_the_drug_class_in_the_tables(text, codes):
    assert [u.code for u in find_drug_use(text, long_term_table())] == codes


def write_corpus(path: Path, rows: Sequence[Mapping[str, object]]) -> None:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_the_learned_file_keeps_counts_and_never_the_notes(tmp_path):
    rows = [
        {
            "id": str(i),
            "split": "train",
            "text_en": "Renal colic with hematuria.",
            "dx_codes": ["N23"],
        }
        for i in range(4)
    ]
    rows.append({"id": "d", "split": "dev", "text_en": "Gout.", "dx_codes": ["M10.9"]})
    corpus = tmp_path / "notes.jsonl"
    write_corpus(corpus, rows)
    content = learn(corpus)
    assert content["notes"] == 4
    assert content["prior"] == {"N23": 4}  # the dev row is not learned from
    target = tmp_path / "learned.json.gz"
    write_learned(content, target)
    raw = gzip.decompress(target.read_bytes()).decode()
    assert "Renal colic with hematuria" not in raw
    assert "CC BY 4.0" in raw
    learned = read_learned(target)
    evidence = learned.evidence(note_features("Renal colic again."))
    assert evidence["N23"] > 0.3
    assert learned.prior_score("N23") == 1.0


def test_a_bad_corpus_line_is_named_by_file_and_line(tmp_path):
    corpus = tmp_path / "notes.jsonl"
    corpus.write_text('{"split": "train", "text_en": "x", "dx_codes": []}\nnot json\n')
    with pytest.raises(LearnedFileError, match=r"notes.jsonl, line 2"):
        learn(corpus)


def test_learned_parts_choose_the_category_and_the_note_the_code_inside_it():
    from medcode.search.note_coder import CodeScore, Weights, add_learned

    def own() -> dict[str, CodeScore]:
        # The note spells out diabetic CKD (E11.22) and, more weakly, names diabetes (E11.9).
        return {"E1122": CodeScore("E1122", 1.0, 0), "E119": CodeScore("E119", 0.9, 1)}

    learned = {"E119": 0.8, "I10": 0.5}  # a corpus where E11.9 and I10 are frequent
    prior = {"E119": 1.0, "E1122": 0.2, "I10": 0.9}
    weights = Weights(prior=0.3, learned_words=1.0, learned_alone=0.6)

    by_code = own()
    add_learned(by_code, learned, prior, weights, allowed=lambda code: True)
    assert by_code["E119"].score > by_code["E1122"].score  # the corpus overrides the note

    by_category = own()
    add_learned(
        by_category,
        learned,
        prior,
        Weights(prior=0.3, learned_words=1.0, learned_alone=0.6, learned_by_category=True),
        allowed=lambda code: True,
    )
    assert by_category["E1122"].score > by_category["E119"].score
    assert by_category["E1122"].score == pytest.approx(1.0 + 0.8 + 0.3 * 1.0)
    # A code only the learned parts suggest still comes in, weighted as "alone".
    assert by_category["I10"].score == pytest.approx(0.6 * 0.5 + 0.3 * 0.9)
    # A code the note denies is never added.
    denied = own()
    add_learned(denied, {"I10": 0.5}, {}, weights, allowed=lambda code: code != "I10")
    assert "I10" not in denied


def test_the_word_and_vector_searches_read_a_clinicians_phrase_in_the_index_words():
    from medcode.search.note_coder import with_phrases

    finding = "Indication: failed back syndrome after lumbar laminectomy"
    assert with_phrases(finding) == f"{finding}; postlaminectomy syndrome"
    assert with_phrases("Type 2 diabetes mellitus") == "Type 2 diabetes mellitus"


def bmi_book() -> CodeBook:
    titles = {
        "Z681": "Body mass index [BMI] 19.9 or less, adult",
        "Z6833": "Body mass index [BMI] 33.0-33.9, adult",
        "Z6834": "Body mass index [BMI] 34.0-34.9, adult",
        "Z6845": "Body mass index [BMI] 70 or greater, adult",
        "Z6854": "Body mass index [BMI] pediatric, 95th percentile for age to less than 120% "
        "of the 95th percentile for age",
    }
    return CodeBook(codes=sorted(titles), titles=titles)


@pytest.mark.parametrize(
    ("finding", "note", "age", "code"),
    [
        ("BMI of 33.4", "Class 1 obesity, BMI of 33.4.", 51, "Z6833"),
        ("body mass index 33.95", "Obese. body mass index 33.95", None, "Z6833"),
        ("BMI: 17.2", "Severe malnutrition. BMI: 17.2", 80, "Z681"),
        ("BMI 72", "Morbid obesity, BMI 72", 40, "Z6845"),
        ("BMI 104.2", "Morbid obesity, BMI 104.2", 40, "Z6845"),  # not "10"
        ("BMI 33.4", "BMI 33.4, well nourished.", 51, None),  # no weight diagnosis
        ("BMI 33.4", "Obesity, BMI 33.4", 15, None),  # a child's BMI goes by percentile
        ("BMI 97th percentile", "Obesity, BMI 97th percentile", None, None),
    ],
)
def test_a_stated_bmi_beside_a_weight_diagnosis_gives_its_adult_code(finding, note, age, code):
    from medcode.search.bmi import adult_ranges, bmi_code

    ranges = adult_ranges(bmi_book())
    assert {r.code for r in ranges} == {"Z681", "Z6833", "Z6834", "Z6845"}
    assert bmi_code(finding, note, ranges, age=age) == code


def test_a_long_run_of_digits_after_bmi_is_read_without_backtracking():
    from medcode.search.bmi import adult_ranges, bmi_code

    ranges = adult_ranges(bmi_book())
    started = time.process_time()
    assert bmi_code("BMI 1." + "1" * 100_000 + "th", "Obesity", ranges, age=40) is None
    # CPU time, with room for a loaded machine: the quadratic pattern took ~17 s here.
    assert time.process_time() - started < 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We gave ketorolac 30 mg IV and a 1 liter bolus of normal saline.", True),
        ("She received ferric carboxymaltose 750 mg IV without reaction.", True),
        ("Laparoscopic cholecystectomy was performed.", True),
        ("Given his age, no imaging was needed.", False),  # "given", but no dose
        ("She takes metformin 1000 mg twice daily.", False),  # a drug in use, not given here
    ],
)
def test_a_finding_that_gives_a_dose_of_a_drug_is_read_for_procedure_codes(text, expected):
    from medcode.search.note_search import is_procedure
    from medcode.search.notes_findings import Finding

    assert is_procedure(Finding(text, 0, len(text), 0, "affirmed")) is expected

"""Note mode on the real ICD-10-CM release, Index and tables (skips without MEDCODE_DATA_DIR):
the new-user notes of issue 15 and short US-style notes written for these tests, with and
without the learned parts."""

from pathlib import Path

import pytest

from medcode.search.codebook import is_maternity
from medcode.search.note_coder import ZERO_SHOT
from medcode.search.note_search import DEFAULT_WEIGHTS, search_note

NOTE_FILES = (
    "icd10cm_codes_2026.csv.gz",
    "icd10cm_index_2025.csv.gz",
    "icd10cm_neoplasm_table_2025.csv.gz",
    "icd10cm_drug_table_2025.csv.gz",
    "icd10cm_tabular_notes_2026.csv.gz",
)

STIMULATOR = (
    "Spinal cord stimulator implant. Indication: failed back syndrome after lumbar "
    "laminectomy. History: type 2 diabetes mellitus, hypertension. The patient tolerated the "
    "procedure well."
)
METFORMIN = "67 y/o male, type 2 diabetes on metformin, essential hypertension"
LADDER = "fall from ladder, displaced right femoral neck fracture, on warfarin"

# Notes written for these tests, each with the codes a coder would give (FY2026).
US_NOTES = {
    "58-year-old woman with COPD and atrial fibrillation, seen for follow-up.": {"J449", "I4891"},
    "72 y/o man with congestive heart failure and chronic kidney disease stage 3, "
    "takes aspirin daily.": {"I509", "N1830", "Z7982"},
    "45-year-old female with acute cystitis. Denies fever.": {"N3000"},
    "35 yo male with asthma and obesity, on insulin for type 1 diabetes.": {
        "J45909",
        "E669",
        "E109",
        "Z794",
    },
    "Woman with liver metastases and anemia.": {"C787", "D649"},
}


@pytest.fixture
def real_notes(shared_data_dir: Path) -> None:
    from medcode.codes.services import import_file
    from medcode.search.index import rebuild_index

    for name in NOTE_FILES:
        import_file(shared_data_dir / name)
    rebuild_index()


def top(note: str, k: int = 5, **kwargs: object) -> list[str]:
    return [s.code for s in search_note(note, **kwargs).suggestions[:k]]  # type: ignore[arg-type]


# One test over one import: loading the release and note mode's tables is the slow part.
@pytest.mark.fulldata
@pytest.mark.django_db
def test_note_mode_on_the_real_release(real_notes):
    the_new_user_notes_of_the_issue_find_their_codes_in_the_top_5()
    a_procedure_note_also_suggests_procedure_codes()
    for note, gold in US_NOTES.items():
        the_learned_parts_keep_a_us_note_s_codes_near_the_top(note, gold)
    a_denied_finding_is_not_suggested_even_by_the_learned_parts()
    a_clinical_record_is_coded_from_its_own_words_a_case_report_with_the_learned_parts()
    a_relatives_condition_gives_the_family_history_code_not_the_condition()
    a_medication_list_gives_its_long_term_drug_codes()
    conditions_in_findings_of_their_own_give_the_combination_code()
    a_device_or_an_operation_of_the_past_gives_its_status_code()


def the_new_user_notes_of_the_issue_find_their_codes_in_the_top_5() -> None:
    assert {"E119", "I10", "M961"} <= set(top(STIMULATOR))
    assert {"E119", "I10", "Z7984"} <= set(top(METFORMIN))
    ladder = top(LADDER)
    assert "Z7901" in ladder
    assert any(c.startswith("S720") for c in ladder)
    found = search_note(METFORMIN)
    assert not [s.code for s in found.suggestions if is_maternity(s.code)]
    # Each finding carries its own top codes and the span it came from.
    finding = next(f for f in found.findings if "metformin" in f.text)
    assert METFORMIN[finding.start : finding.end] == finding.text
    assert {"E119", "Z7984"} <= {c.code for c in finding.codes}
    assert len(finding.codes) <= 3


def a_procedure_note_also_suggests_procedure_codes() -> None:
    found = search_note(STIMULATOR)
    assert found.procedures
    assert all(p.system != "ICD10CM" for p in found.procedures)
    assert "implant" in found.procedures[0].evidence.text.lower()


def the_learned_parts_keep_a_us_note_s_codes_near_the_top(note: str, gold: set[str]) -> None:
    for weights in (ZERO_SHOT, DEFAULT_WEIGHTS):
        codes = top(note, k=len(gold) + 3, weights=weights)
        assert gold <= set(codes), (note, weights, codes)


def a_denied_finding_is_not_suggested_even_by_the_learned_parts() -> None:
    codes = {
        s.code
        for s in search_note("45-year-old female with acute cystitis. Denies fever.").suggestions
    }
    assert not {c for c in codes if c.startswith("R50")}


def a_clinical_record_is_coded_from_its_own_words_a_case_report_with_the_learned_parts() -> None:
    from medcode.search.tests.test_learned_parts import CASE_REPORT, RECORD

    assert top(RECORD, k=50) == top(RECORD, k=50, weights=ZERO_SHOT)
    assert top(CASE_REPORT, k=50) != top(CASE_REPORT, k=50, weights=ZERO_SHOT)


def a_relatives_condition_gives_the_family_history_code_not_the_condition() -> None:
    note = (
        "58 y/o female with essential hypertension. Father had colon cancer at 52. "
        "Mother with type 2 diabetes. Family history of MI."
    )
    for weights in (ZERO_SHOT, DEFAULT_WEIGHTS):
        codes = top(note, k=10, weights=weights)
        assert {"I10", "Z800", "Z833", "Z8249"} <= set(codes), codes
        assert not [c for c in codes if c[:3] in {"C18", "E11", "I21"}], codes
    former = top("67 y/o male with COPD. Former smoker, quit 10 years ago.", k=5)
    assert "Z87891" in former and not [c for c in former if c.startswith("F17")], former
    current = top("67 y/o male with COPD. Current smoker, 1 ppd.", k=5)
    assert "F17210" in current, current


def a_medication_list_gives_its_long_term_drug_codes() -> None:
    # The finding split cuts the list from its heading; the drugs are read in the whole note.
    note = (
        "Office visit for hypertension.\nMedications: lisinopril 20 mg daily, aspirin 81 mg "
        "daily, warfarin 5 mg daily.\nAssessment: essential hypertension."
    )
    assert {"I10", "Z7982", "Z7901"} <= set(top(note, k=6))


def conditions_in_findings_of_their_own_give_the_combination_code() -> None:
    # Diabetes, type 2, with, chronic kidney disease E11.22; Hypertension, heart, with, kidney
    # disease (see Hypertension, cardiorenal), with heart failure I13.0 (Index 2025)
    note = (
        "Clinic note.\nAssessment:\n1. Type 2 diabetes, A1c 8.2.\n2. CKD stage 3a.\n"
        "3. Hypertension.\n4. Chronic systolic heart failure."
    )
    codes = top(note, k=8)
    assert {"E1122", "I130"} <= set(codes), codes
    assert codes.index("I130") < codes.index("I10") if "I10" in codes else True
    # the note denies the link: no E11.36 (Diabetes, type 2, with, cataract)
    unrelated = (
        "Eye clinic letter. Type 2 diabetes on metformin. Age-related nuclear cataract, "
        "not related to the diabetes."
    )
    assert "E1136" not in top(unrelated, k=10)


def a_device_or_an_operation_of_the_past_gives_its_status_code() -> None:
    # Status, coronary artery bypass graft Z95.1; Presence, cardiac, pacemaker Z95.0;
    # Presence, knee-joint implant Z96.65-; Dependence, oxygen Z99.81 (Index 2025)
    note = (
        "Clinic note. 74 y/o male. PMH: CAD s/p CABG 2015. Pacemaker in place. "
        "Right total knee replacement 2019. COPD on home oxygen 2 L."
    )
    codes = top(note, k=12)
    assert {"Z951", "Z950", "Z96651", "Z9981"} <= set(codes), codes

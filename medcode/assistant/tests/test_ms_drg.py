"""CasePilot's MS-DRG answer (handlers/ms_drg.py): the inpatient check's grouping, cited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcode.assistant.answer import answer_question
from medcode.assistant.facts import Answer
from medcode.assistant.handlers.ms_drg import readable
from medcode.codes.services import import_file

ON = dt.date(2026, 4, 15)
# The sample code sets hold S72.001A and N18.6 (an MCC), and the hip replacement 0SR9019.
QUESTION = "What MS-DRG for principal S72.001A with secondary N18.6?"
# The issue's question, over the real ICD-10-CM release and Table 5.
REAL_QUESTION = "What MS-DRG for principal I21.4 with secondary E11.9 and N18.4?"


def ask(question: str, today: dt.date = ON) -> Answer:
    return answer_question(question, today=today, use_llm=False)


def test_the_grouping_question_gets_the_drg_and_the_mcc_that_set_it(pilot_samples):
    answer = ask(QUESTION).as_dict()

    # MDC 08 fractures of hip and pelvis (535-536), N18.6 an MCC: 535.
    assert answer["intent"] == "ms_drg"
    assert answer["answer"].startswith("MS-DRG 535 for principal S72.001A with secondary N18.6")
    assert "Severity level from N18.6 (MCC)" in answer["answer"]
    assert any(f["text"] == "N18.6 is an MCC: counted." for f in answer["facts"])
    assert any("drgpy 0.2.1, MS-DRG v43.1" in c["release"] for c in answer["citations"])
    # The sample data has no IPPS Table 5: no weight is quoted, and the answer says so.
    assert "Relative weight" not in answer["answer"]
    assert any("no MS-DRG weights (IPPS Table 5) loaded" in n for n in answer["notices"])
    # Known differences point to About the data, never to a file in the repository.
    assert any("About the data (/about/data/#msdrg)" in n for n in answer["notices"])
    assert not any(".md" in n or "docs/" in n for n in answer["notices"])


def test_procedures_are_read_from_the_question(pilot_samples):
    answer = ask("MS-DRG for S72.001A with procedure 0SR9019, female patient").as_dict()

    assert answer["answer"].startswith("MS-DRG 522 for principal S72.001A and procedures 0SR9019")


@pytest.mark.fulldata
def test_the_issues_question_with_the_table_5_weight(pilot_samples, shared_data_dir: Path):
    import_file(shared_data_dir / "icd10cm_codes_2026.csv.gz")
    import_file(shared_data_dir / "msdrg_weights_fy2026.csv.gz")

    answer = ask(REAL_QUESTION).as_dict()

    assert answer["answer"].startswith(
        "MS-DRG 281 (Acute myocardial infarction, discharged alive with CC) for principal I21.4 "
        "with secondary E11.9, N18.4"
    )
    assert "MDC 05. Relative weight 0.9191 (IPPS Table 5)" in answer["answer"]
    assert "Severity level from N18.4 (CC)" in answer["answer"]
    assert any(c["label"] == "MS-DRG 281: IPPS Table 5" for c in answer["citations"])


def test_after_the_latest_versions_year_an_undated_question_says_which_version(pilot_samples):
    answer = ask(QUESTION, today=dt.date(2026, 12, 6)).as_dict()

    assert answer["answer"].startswith("No discharge date was given")
    assert "v43.1 grouping, as for a discharge on 2026-09-30" in answer["answer"]
    assert "MS-DRG 535" in answer["answer"]


def test_a_sex_dependent_drg_asks_for_the_sex(pilot_samples):
    from medcode.assistant.answer import context_for
    from medcode.assistant.handlers.ms_drg import build
    from medcode.assistant.intent import understand

    # N40.0 (prostate) is not in the sample code sets: the handler's draft, before the guard.
    question = understand("Which DRG does N40.0 with N17.0 group to?")
    draft = build(context_for(question, on=None, today=ON, setting=None))

    assert draft.is_unsure and "give sex M or F" in draft.summary
    assert "725 if male" in draft.summary


def test_titles_read_as_sentences_with_the_abbreviations_kept():
    assert readable("ACUTE MYOCARDIAL INFARCTION, DISCHARGED ALIVE WITH CC") == (
        "Acute myocardial infarction, discharged alive with CC"
    )
    assert readable("SEPTICEMIA OR SEVERE SEPSIS WITH MV >96 HOURS") == (
        "Septicemia or severe sepsis with MV >96 hours"
    )

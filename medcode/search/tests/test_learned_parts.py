"""Note mode's learned parts: a coder's Spanish evidence span placed on its English line, a
finding's words voting for the codes of the sentences that share them, and how learned-only
codes join the note's ranking."""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from medcode.search.learned import (
    finding_features,
    from_content,
    labelled_lines,
    learn,
    learn_rows,
    read_learned,
    write_learned,
)


def row(
    i: int, *, lines: list[str], spanish: str, evidence: list[tuple[str, str]]
) -> dict[str, Any]:
    """A CodiEsp-style row; `evidence` holds (code, Spanish words) pairs located in `spanish`."""
    spans = []
    for code, words in evidence:
        start = spanish.index(words)
        spans.append(
            {
                "type": "diagnosis",
                "code": code,
                "span_es": words,
                "offsets_es": f"{start} {start + len(words)}",
            }
        )
    return {
        "id": str(i),
        "split": "train",
        "text_en": "\n".join(lines),
        "text_es": spanish,
        "dx_codes": [code for code, _ in evidence],
        "evidence_es": spans,
    }


SPANISH = "Mujer de 40 años con cólico renal. Presenta hematuria macroscópica. Dolor lumbar."
ENGLISH = ["A 40-year-old woman with renal colic.", "She has gross hematuria.", "Low back pain."]


def test_a_span_lands_on_the_english_line_of_its_spanish_sentence():
    labelled = labelled_lines(
        row(0, lines=ENGLISH, spanish=SPANISH, evidence=[("N23", "cólico"), ("R31.0", "hematuria")])
    )
    assert labelled == {0: {"N23"}, 1: {"R310"}}


def test_without_as_many_sentences_a_span_lands_by_its_relative_position():
    # Two Spanish sentences for three English lines: the span near the end of the Spanish
    # text lands on the last English line.
    spanish = "Mujer con cólico renal y hematuria. Dolor lumbar intenso desde hace tres días."
    labelled = labelled_lines(
        row(0, lines=ENGLISH, spanish=spanish, evidence=[("M54.50", "tres días")])
    )
    assert labelled == {2: {"M5450"}}


def test_sentence_counts_tie_a_finding_to_its_own_codes_not_every_code_of_the_note():
    rows = [
        row(
            i,
            lines=ENGLISH,
            spanish=SPANISH,
            evidence=[("N23", "cólico"), ("R31.0", "hematuria"), ("M54.50", "Dolor")],
        )
        for i in range(4)
    ]
    learned = from_content(learn_rows(rows))
    found = learned.sentence_evidence(finding_features("Gross hematuria again."))
    assert set(found) == {"R310"}  # the note-level counts would also give N23 and M54.50
    value, finding = found["R310"]
    assert value > 0.3 and finding == 0
    note_level = learned.evidence(set().union(*finding_features("Gross hematuria again.")))
    assert {"N23", "R310", "M5450"} <= set(note_level)


def test_the_learned_file_keeps_sentence_counts_and_never_the_text(tmp_path: Path):
    corpus = tmp_path / "notes.jsonl"
    rows = [
        row(i, lines=ENGLISH, spanish=SPANISH, evidence=[("R31.0", "hematuria")]) for i in range(3)
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    content = learn(corpus)
    assert content["sentences"] == 9
    assert content["code_sentences"] == {"R310": 3}
    target = tmp_path / "learned.json.gz"
    write_learned(content, target)
    raw = gzip.decompress(target.read_bytes()).decode()
    assert not [line for line in ENGLISH if line.lower() in raw.lower()]
    assert "hematuria macrosc" not in raw  # nor the Spanish
    found = read_learned(target).sentence_evidence(finding_features("hematuria"))
    assert found["R310"][0] > 0.3


def test_a_file_without_sentence_counts_still_reads():
    content = learn_rows([{"text_en": "Renal colic.", "dx_codes": ["N23"]} for _ in range(3)])
    for key in ("sentences", "code_sentences", "sentence_features"):
        content.pop(key)
    learned = from_content(content)
    assert learned.sentence_evidence([{"renal"}]) == {}
    assert learned.evidence({"renal"})["N23"] > 0


@pytest.mark.parametrize("offsets", ["", "x y"])
def test_a_bad_evidence_offset_is_an_error_naming_the_line(tmp_path: Path, offsets: str):
    from medcode.search.learned import LearnedFileError

    bad = row(0, lines=ENGLISH, spanish=SPANISH, evidence=[("N23", "cólico")])
    bad["evidence_es"][0]["offsets_es"] = offsets
    corpus = tmp_path / "notes.jsonl"
    corpus.write_text(json.dumps(bad) + "\n")
    with pytest.raises(LearnedFileError, match=r"notes.jsonl, line 1"):
        learn(corpus)


def test_only_the_strongest_learned_only_codes_are_considered():
    from medcode.search.note_coder import LEARNED_ALONE_DEPTH, CodeScore, Weights, add_learned

    checked: list[str] = []

    def allowed(code: str) -> bool:
        checked.append(code)
        return True

    best = {"I10": CodeScore("I10", 1.0, 0)}
    learned = {f"Z{n:04d}": 0.5 + n / 10_000 for n in range(LEARNED_ALONE_DEPTH + 50)}
    learned["I10"] = 0.01  # the note's own code still gets its (weak) boost
    add_learned(best, learned, {}, Weights(learned_words=1.0), allowed=allowed)
    alone = [c for c in best if c != "I10"]
    assert len(alone) == LEARNED_ALONE_DEPTH
    assert min(alone) == f"Z{50:04d}"  # the weakest 50 are left out, unchecked
    assert len(checked) == LEARNED_ALONE_DEPTH + 1
    assert best["I10"].score == pytest.approx(1.01)


def test_a_learned_only_code_shows_the_finding_its_sentence_evidence_came_from():
    from medcode.search.note_coder import CodeScore, Weights, add_learned

    best = {"I10": CodeScore("I10", 1.0, 0)}
    add_learned(
        best,
        {"R310": 0.5},
        {},
        Weights(learned_words=1.0, learned_alone=0.6),
        allowed=lambda code: True,
        origins={"R310": 3},
    )
    assert best["R310"].finding == 3
    assert best["R310"].score == pytest.approx(0.3)  # weighed as learned alone


def test_by_default_each_learned_code_comes_from_the_finding_that_suggests_it():
    # The shipped file (CodiEsp train split): fever and hematuria are in different findings.
    from medcode.search.note_search import DEFAULT_WEIGHTS, learned_parts

    evidence, prior, origins = learned_parts(
        "Fever of 39 C. Gross hematuria with clots.", DEFAULT_WEIGHTS
    )
    fever = [c for c in evidence if c.startswith("R50")]
    hematuria = [c for c in evidence if c.startswith("R31")]
    assert fever and hematuria
    assert {origins[c] for c in fever} == {0}
    assert {origins[c] for c in hematuria} == {1}
    assert prior and max(prior.values()) == 1.0


def test_the_learn_command_writes_the_file_and_refuses_a_bad_corpus(tmp_path: Path):
    import argparse

    from medcode.search.commands import cmd_learn

    corpus = tmp_path / "notes.jsonl"
    rows = [
        row(i, lines=ENGLISH, spanish=SPANISH, evidence=[("R31.0", "hematuria")]) for i in range(3)
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "learned.json.gz"
    args = argparse.Namespace(source=corpus, split="train", out=out)
    assert cmd_learn(args) == 0
    assert read_learned(out).code_sentences == {"R310": 3}
    corpus.write_text("not json\n")
    assert cmd_learn(args) == 1


CASE_REPORT = (
    "A 54-year-old man was admitted with fever and dysuria of three days' evolution. "
    "Physical examination revealed: suprapubic tenderness and a temperature of 38.9 C. "
    "Urine culture grew Escherichia coli and an abdominal ultrasound showed a distended "
    "bladder. He was treated with ceftriaxone with good clinical evolution and was "
    "discharged on the seventh day without complications."
)
RECORD = (
    "Urgent care visit.\nHe reports fever and painful urination for three days, no flank "
    "pain.\nExam: temperature 38.9 C, suprapubic tenderness, no costovertebral angle "
    "tenderness.\nUrinalysis positive for nitrites and leukocyte esterase.\nAssessment:\n"
    "1. Acute cystitis without hematuria.\nPlan: nitrofurantoin for five days, fluids."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RECORD, True),  # the clinician's diagnostic statement
        (RECORD.replace("Assessment:", "Impression:"), True),
        (CASE_REPORT, False),  # a narrative case report, like the corpus's
        ("HPI: cough for a week.\nMedications: none.\n" + CASE_REPORT, True),  # two sections
        (CASE_REPORT.replace("A 54-year-old man", "54 y/o man s/p appendectomy"), True),
        ("fall from ladder, displaced right femoral neck fracture, on warfarin", True),
    ],
)
def test_a_note_written_as_a_clinical_record_is_told_from_a_case_report(text, expected):
    from medcode.search.notes_findings import is_clinical_record

    assert is_clinical_record(text) is expected


# A US clinician's note written as prose, without sections or shorthand: the same story as
# CASE_REPORT told as a telephone note, a consult letter, an ED course and a titled summary.
PROSE_BODY = (
    "a 54-year-old man with fever and painful urination for three days, without flank pain. "
    "His urine culture grew Escherichia coli sensitive to nitrofurantoin and he has no drug "
    "allergies. Nitrofurantoin was prescribed for five days, with fluids, and a return visit "
    "if fever or back pain develops; his diabetes is controlled on metformin."
)


@pytest.mark.parametrize(
    "text",
    [
        "Spoke with the patient's wife about " + PROSE_BODY,
        "Dear Dr. Lee,\nThank you for referring " + PROSE_BODY,
        "Mr. Garcia is " + PROSE_BODY,
        "I saw " + PROSE_BODY + " I called in the prescription.",
        "He came to the ED at 10 pm as " + PROSE_BODY + " Temperature 101.3 °F.",
        "Urgent care visit.\nThis is " + PROSE_BODY,
        "Today he reports feeling better. He is " + PROSE_BODY,
        "He was seen by his PCP as " + PROSE_BODY,
    ],
)
def test_a_us_note_written_as_prose_is_read_as_a_clinical_record(text):
    from medcode.search.notes_findings import is_clinical_record

    assert len(text) > 300  # not a record by its length alone
    assert is_clinical_record(text)


@pytest.mark.parametrize(
    "text",
    [
        CASE_REPORT,
        CASE_REPORT + " He had a history of type I diabetes and a grade I hepatic encephalopathy.",
        CASE_REPORT + " Intubation was performed with a 39F double-lumen tube.",
        CASE_REPORT + " He received cotrimoxazole at PCP prophylaxis doses.",
        "Case report. " + CASE_REPORT,
    ],
)
def test_a_case_report_with_a_roman_numeral_or_a_catheter_size_stays_a_case_report(text):
    from medcode.search.notes_findings import is_clinical_record

    assert not is_clinical_record(text)


def test_the_learned_parts_stay_out_of_a_clinical_record_but_weigh_in_a_case_report():
    from dataclasses import replace

    from medcode.search.note_coder import weights_for
    from medcode.search.note_search import DEFAULT_WEIGHTS

    record = weights_for(RECORD, DEFAULT_WEIGHTS)
    assert record.prior == 0 and record.learned_words == 0
    assert weights_for(CASE_REPORT, DEFAULT_WEIGHTS).learned_words == DEFAULT_WEIGHTS.learned_words
    assert DEFAULT_WEIGHTS.learned_words > 0 and DEFAULT_WEIGHTS.prior > 0
    half = weights_for(RECORD, replace(DEFAULT_WEIGHTS, record_learned=0.5))
    assert half.prior == pytest.approx(DEFAULT_WEIGHTS.prior / 2)
    assert weights_for(RECORD, half) == half  # scaled once, however often it is applied

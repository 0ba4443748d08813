"""A case report tells a course, not a visit: the encounter codes of "Persons encountering
health services for examinations (Z00-Z13)" are not read from it; a clinical record, which
is the visit, keeps them (note_coder.is_examination_encounter)."""

from types import SimpleNamespace

import pytest

from medcode.search import note_coder
from medcode.search.codebook import CodeBook
from medcode.search.drug_use import LongTermTable
from medcode.search.index_matcher import AlphabeticIndex
from medcode.search.note_coder import ZERO_SHOT, is_examination_encounter, note_evidence
from medcode.search.notes_findings import is_clinical_record

TITLES = {
    "Z09": "Encounter for follow-up examination after completed treatment for conditions"
    " other than malignant neoplasm",
    "N390": "Urinary tract infection, site not specified",
}
CASE_REPORT = (
    "We present the case of a 42-year-old man who underwent resection of a bladder tumour"
    " in 2004. The postoperative course was uneventful and he was discharged on the fifth"
    " day. At 30 months of follow-up the patient remains free of recurrence, with normal"
    " cystoscopies every six months and no new lesions on the imaging studies performed."
)
RECORD = (
    "Chief complaint: follow-up visit after completed treatment of UTI.\n"
    "Assessment: follow-up examination, UTI resolved.\nPlan: return as needed."
)


@pytest.fixture
def tables(monkeypatch):
    book = CodeBook(codes=sorted(TITLES), titles=TITLES, ids={"Z09": 1}, by_id={1: "Z09"})
    index = AlphabeticIndex(roots=[], neoplasm=[])
    monkeypatch.setattr(note_coder, "load_index", lambda token: index)
    monkeypatch.setattr(note_coder, "load_codebook", lambda token: book)
    monkeypatch.setattr(note_coder, "load_long_term_table", lambda token: LongTermTable())
    monkeypatch.setattr("medcode.ops.generation.current", lambda: SimpleNamespace(token="t"))


def test_the_examination_encounter_section_is_z00_to_z13():
    assert is_examination_encounter("Z09")
    assert is_examination_encounter("Z00121")
    assert is_examination_encounter("Z1211")
    assert not is_examination_encounter("Z140")
    assert not is_examination_encounter("Z7901")


def test_a_case_reports_follow_up_gives_no_encounter_code(tables):
    assert not is_clinical_record(CASE_REPORT)
    hits = [[(1, 1.0)]] * 10  # the word search's hit on Z09's title, for every finding
    evidence = note_evidence(CASE_REPORT, weights=ZERO_SHOT, words=hits)
    assert "Z09" not in evidence.best


def test_a_clinical_records_follow_up_visit_keeps_it(tables):
    assert is_clinical_record(RECORD)
    hits = [[(1, 1.0)]] * 10
    evidence = note_evidence(RECORD, weights=ZERO_SHOT, words=hits)
    assert "Z09" in evidence.best

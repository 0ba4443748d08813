from datetime import date

import pytest

from medcode.rules.claim import Finding
from medcode.rules.diagnoses import (
    DX_BAD_POINTER,
    DX_EXCLUDES1,
    DX_NO_POINTER,
    DX_NOT_BILLABLE,
    DX_NOT_BILLABLE_FIX,
    DX_NOT_FOUND,
    check_diagnoses,
    extract_code_patterns,
)
from medcode.rules.tables import Span
from medcode.rules.tests.builders import SOURCES, claim, diagnosis, line, tables

E11_NOTE = "type 1 diabetes mellitus (E10.-)"
ICD10CM = tables(
    diagnoses=[
        diagnosis("E119", E11_NOTE, "gestational diabetes (O24.4-)"),
        diagnosis("E109", "secondary diabetes mellitus (E08-E09, E13.-)"),
        diagnosis("E11", E11_NOTE, is_billable=False),
        diagnosis("I10"),
        diagnosis("R7303", "diabetes mellitus (E08-E13)"),
        diagnosis("O24410"),
        diagnosis("J101", span=Span(None, date(2024, 9, 30))),
    ]
)


def check(*diagnoses: str, pointers: tuple[int, ...] = (1,)) -> list[Finding]:
    return check_diagnoses(claim(line(1, "99213", pointers=pointers), diagnoses=diagnoses), ICD10CM)


@pytest.mark.parametrize(
    ("note", "patterns"),
    [
        pytest.param("E10.-", [("E10.-", "E10", "E10")], id="category-and-children"),
        pytest.param("E10", [("E10", "E10", "E10")], id="bare-category"),
        pytest.param("O24.0-", [("O24.0-", "O240", "O240")], id="subcategory-and-children"),
        pytest.param("E11.9", [("E11.9", "E119", "E119")], id="one-code"),
        pytest.param(E11_NOTE, [("E10.-", "E10", "E10")], id="note-text"),
        pytest.param(
            "secondary diabetes mellitus (E08-E09, E13.-)",
            [("E08-E09", "E08", "E09"), ("E13.-", "E13", "E13")],
            id="range-and-category",
        ),
        pytest.param(
            "vitamin B12 deficiency anemia (D51.-)",
            [("D51.-", "D51", "D51")],
            id="prose-outside-parentheses-ignored",
        ),
        pytest.param("hypertension", [], id="no-code"),
    ],
)
def test_it_extracts_code_patterns_from_excludes1_notes(note, patterns):
    found = [(p.text, p.start, p.end) for p in extract_code_patterns(note)]

    assert found == patterns


@pytest.mark.parametrize(
    ("note", "code", "matches"),
    [
        pytest.param("E10.-", "E109", True, id="child-of-category"),
        pytest.param("E10.-", "E10", True, id="the-category-itself"),
        pytest.param("E10.-", "E110", False, id="other-category"),
        pytest.param("O24.0-", "O24011", True, id="child-of-subcategory"),
        pytest.param("O24.0-", "O2441", False, id="sibling-subcategory"),
        pytest.param("(E08-E13)", "E119", True, id="inside-a-range"),
        pytest.param("(E08-E13)", "E08", True, id="range-start"),
        pytest.param("(E08-E13)", "E1352", True, id="range-end-child"),
        pytest.param("(E08-E13)", "E15", False, id="after-the-range"),
        pytest.param("(C00-C14.8)", "C149", False, id="after-a-subcategory-range-end"),
    ],
)
def test_it_matches_a_diagnosis_to_a_pattern_by_prefix(note, code, matches):
    [pattern] = extract_code_patterns(note)

    assert pattern.matches(code) is matches


def test_it_accepts_a_billable_diagnosis_pointed_to_by_every_line():
    assert check("E11.9") == []


def test_it_rejects_a_diagnosis_that_does_not_exist():
    [finding] = check("E11.99")

    assert finding.message == DX_NOT_FOUND.format(code="E11.99", position=1, dos="2024-07-15")
    assert (finding.rule, finding.severity, finding.lines) == ("dx_invalid", "error", (1,))
    assert finding.source == SOURCES["diagnoses"]


def test_it_says_a_more_specific_code_is_needed_for_a_heading():
    [finding] = check("E11")

    assert finding.message == DX_NOT_BILLABLE.format(code="E11", position=1, dos="2024-07-15")
    assert "a more specific code is needed" in finding.message
    assert finding.fix == DX_NOT_BILLABLE_FIX.format(code="E11")


def test_it_rejects_a_diagnosis_no_longer_valid_on_the_date_of_service():
    claim_after = claim(line(1, "99213", dos=date(2024, 10, 1)), diagnoses=("J10.1",))
    claim_before = claim(line(1, "99213", dos=date(2024, 9, 30)), diagnoses=("J10.1",))

    assert [f.rule for f in check_diagnoses(claim_after, ICD10CM)] == ["dx_invalid"]
    assert check_diagnoses(claim_before, ICD10CM) == []


def test_it_rejects_an_excludes1_pair_naming_both_codes():
    [finding] = check("E11.9", "E10.9", pointers=(1, 2))

    assert finding.message == DX_EXCLUDES1.format(
        code="E11.9", position=1, other="E10.9", other_position=2, note=E11_NOTE
    )
    assert "except in the exceptions the note itself gives" in finding.message
    assert (finding.rule, finding.severity, finding.lines) == ("dx_excludes1", "error", (1,))


@pytest.mark.parametrize(
    ("diagnoses", "pairs"),
    [
        pytest.param(("E119", "I10"), 0, id="unrelated-codes"),
        pytest.param(("E119", "E109"), 1, id="each-excludes-the-other-reported-once"),
        pytest.param(("E119", "O24410"), 1, id="subcategory-pattern"),
        pytest.param(("R7303", "E119", "I10"), 1, id="range-pattern"),
        pytest.param(("E119", "E119"), 0, id="the-same-code-twice"),
    ],
)
def test_it_finds_excludes1_pairs_among_the_claims_diagnoses(diagnoses, pairs):
    findings = check(*diagnoses, pointers=(1,))

    assert [f.rule for f in findings] == ["dx_excludes1"] * pairs


@pytest.mark.parametrize(
    ("pointers", "diagnoses", "message"),
    [
        pytest.param((), ("E119",), DX_NO_POINTER, id="no-pointer"),
        pytest.param((2,), ("E119",), DX_BAD_POINTER, id="pointer-past-the-end"),
        pytest.param((0,), ("E119",), DX_BAD_POINTER, id="pointer-zero"),
        pytest.param((1,), (), DX_BAD_POINTER, id="no-diagnoses-on-the-claim"),
        pytest.param((1, 2), ("E119", "I10"), None, id="valid-pointers"),
    ],
)
def test_it_checks_every_line_points_to_a_listed_diagnosis(pointers, diagnoses, message):
    findings = check(*diagnoses, pointers=pointers)
    bad = next((p for p in pointers if not 1 <= p <= len(diagnoses)), None)
    words = {"code": "99213", "line": "line 1", "count": len(diagnoses), "pointer": bad}

    assert [f.message for f in findings] == ([message.format(**words)] if message else [])
    assert all(f.rule == "dx_pointer" and f.lines == (1,) for f in findings)


def test_it_reads_dotted_lower_case_diagnoses():
    assert check("e11.9") == []

from datetime import date

import pytest

from medcode.rules.claim import (
    Claim,
    ClaimLine,
    format_diagnosis,
    format_lines,
    is_evaluation_and_management,
)
from medcode.rules.tables import Span
from medcode.rules.tests.builders import DOS, diagnosis, fee, ptp_edit, tables


def test_it_normalises_codes_and_modifiers_on_a_claim_line():
    line = ClaimLine(1, " g0101 ", ("xs", " rt ", ""), 1, DOS, None, (1,))

    assert (line.code, line.modifiers) == ("G0101", ("XS", "RT"))


def test_it_normalises_diagnoses_to_undotted_upper_case():
    claim = Claim(lines=(), diagnoses=("e11.9", " S52.501A "))

    assert claim.diagnoses == ("E119", "S52501A")


@pytest.mark.parametrize(
    ("code", "dotted"), [("E119", "E11.9"), ("I10", "I10"), ("S52501A", "S52.501A")]
)
def test_it_shows_diagnoses_dotted_in_messages(code, dotted):
    assert format_diagnosis(code) == dotted


@pytest.mark.parametrize(
    ("code", "is_em"),
    [
        ("99202", True),
        ("99213", True),
        ("99499", True),
        ("99201", False),
        ("99500", False),
        ("G0463", False),
        ("11042", False),
    ],
)
def test_it_knows_e_m_codes_are_99202_to_99499(code, is_em):
    assert is_evaluation_and_management(code) is is_em


def test_it_says_one_line_or_many():
    assert (format_lines([2]), format_lines([2, 3])) == ("line 2", "lines 2, 3")


def test_in_memory_tables_look_up_by_normalised_keys():
    edit = ptp_edit("11042", "97597")
    memory = tables(
        ptp=[edit],
        fees=[fee("71046", "tc")],
        diagnoses=[diagnosis("E119"), diagnosis("J101", span=Span(date(2020, 10, 1)))],
    )

    assert memory.ptp_for("11042") == (edit,)
    assert memory.ptp_for("97597") == ()
    assert memory.fee("71046", "TC") is not None
    assert memory.fee("71046") is None
    assert memory.diagnosis("E119", DOS) is not None
    assert memory.diagnosis("J101", date(2020, 9, 30)) is None
    assert memory.source("ptp") == "NCCI PTP practitioner 2024Q3 (effective 2024-07-01)"

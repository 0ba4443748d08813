from datetime import date

import pytest

from medcode.rules.claim import Finding, PtpPair
from medcode.rules.ptp import (
    PTP_MODIFIER_DOES_NOT_BYPASS,
    PTP_MODIFIER_NEEDED,
    PTP_MODIFIER_NEEDED_EM_FIX,
    PTP_MODIFIER_NEEDED_FIX,
    PTP_MODIFIER_ON_COLUMN_1,
    PTP_NO_MODIFIER_ALLOWED,
    PTP_NO_MODIFIER_ALLOWED_FIX,
    PTP_SAME_ANATOMIC_SITE,
    check_ptp,
)
from medcode.rules.tests.builders import DOS, SOURCES, claim, line, ptp_edit, tables

WORDS = {
    "column_1": "11042",
    "column_2": "97597",
    "line_1": "line 1",
    "line_2": "line 2",
    "dos": "2024-07-15",
    "rationale": "Misuse of column two code with column one code",
}


def check_pair(
    indicator: str,
    column_1_modifiers: tuple[str, ...] = (),
    column_2_modifiers: tuple[str, ...] = (),
    *,
    effective: date = date(2010, 1, 1),
    deleted: date | None = None,
) -> list[Finding]:
    edit = ptp_edit("11042", "97597", indicator, effective=effective, deleted=deleted)
    return check_ptp(
        claim(line(1, "11042", *column_1_modifiers), line(2, "97597", *column_2_modifiers)),
        tables(ptp=[edit]),
    )


@pytest.mark.parametrize(
    ("indicator", "column_1_modifiers", "column_2_modifiers", "severity"),
    [
        pytest.param("0", (), (), "error", id="0-no-modifier"),
        pytest.param("0", (), ("59",), "error", id="0-59-does-not-bypass"),
        pytest.param("0", (), ("XS",), "error", id="0-XS-does-not-bypass"),
        pytest.param("0", ("RT",), ("LT",), "error", id="0-anatomic-does-not-bypass"),
        pytest.param("1", (), (), "error", id="1-no-modifier"),
        pytest.param("1", (), ("59",), None, id="1-59-on-column-2"),
        pytest.param("1", (), ("XE",), None, id="1-XE"),
        pytest.param("1", (), ("XS",), None, id="1-XS"),
        pytest.param("1", (), ("XP",), None, id="1-XP"),
        pytest.param("1", (), ("XU",), None, id="1-XU"),
        pytest.param("1", (), ("25",), None, id="1-25"),
        pytest.param("1", (), ("57",), None, id="1-57"),
        pytest.param("1", (), ("58",), None, id="1-58"),
        pytest.param("1", (), ("78",), None, id="1-78"),
        pytest.param("1", (), ("79",), None, id="1-79"),
        pytest.param("1", (), ("91",), None, id="1-91"),
        pytest.param("1", ("59",), (), "info", id="1-59-on-column-1-only"),
        pytest.param("1", (), ("76",), "error", id="1-76-is-not-ncci-associated"),
        pytest.param("1", ("RT",), ("LT",), None, id="1-RT-vs-LT"),
        pytest.param("1", ("RT",), ("RT",), "error", id="1-RT-on-both"),
        pytest.param("1", (), ("RT",), "error", id="1-RT-on-one-line-only"),
        pytest.param("1", ("TA",), ("T1",), None, id="1-different-toes"),
        pytest.param("1", ("LT", "TA"), ("LT", "T1"), None, id="1-different-toes-same-side"),
        pytest.param("1", ("LT",), ("LT", "TA"), "error", id="1-side-vs-toe-on-that-side"),
        pytest.param("1", ("RT",), ("LT", "TA"), None, id="1-side-vs-toe-other-side"),
        pytest.param("1", ("F1",), ("F2",), None, id="1-different-fingers"),
        pytest.param("1", ("E1",), ("E1",), "error", id="1-same-eyelid"),
        pytest.param("1", ("LC",), ("RC",), None, id="1-different-coronary-arteries"),
        pytest.param("9", (), (), None, id="9-deleted-edit"),
    ],
)
def test_it_applies_the_modifier_indicator(
    indicator, column_1_modifiers, column_2_modifiers, severity
):
    findings = check_pair(indicator, column_1_modifiers, column_2_modifiers)

    assert [f.severity for f in findings] == ([severity] if severity else [])
    assert all(f.rule == "ptp" and f.lines == (1, 2) for f in findings)


def test_it_rejects_modifier_59_when_the_indicator_is_0():
    [finding] = check_pair("0", column_2_modifiers=("59",))

    assert finding.severity == "error"
    assert finding.message == PTP_NO_MODIFIER_ALLOWED.format(
        **WORDS
    ) + PTP_MODIFIER_DOES_NOT_BYPASS.format(modifiers="59")
    assert finding.fix == PTP_NO_MODIFIER_ALLOWED_FIX.format(**WORDS)
    assert finding.source == SOURCES["ptp"]


def test_it_tells_the_coder_to_put_59_or_xs_on_the_column_2_code():
    [finding] = check_pair("1")

    assert finding.message == PTP_MODIFIER_NEEDED.format(**WORDS)
    assert finding.fix == PTP_MODIFIER_NEEDED_FIX.format(**WORDS)
    assert finding.fix.startswith("Append 59 or XS to 97597 if the procedures were at separate")
    assert finding.fix.endswith("the modifier indicator is 1.")


def test_it_suggests_25_when_the_column_2_code_is_an_e_m_visit():
    edit = ptp_edit("11042", "99213", "1")
    [finding] = check_ptp(claim(line(1, "11042"), line(2, "99213")), tables(ptp=[edit]))

    assert finding.fix == PTP_MODIFIER_NEEDED_EM_FIX.format(**{**WORDS, "column_2": "99213"})


def test_it_says_why_the_same_anatomic_modifier_on_both_lines_does_not_bypass():
    [finding] = check_pair("1", ("RT",), ("RT",))

    assert finding.message == PTP_MODIFIER_NEEDED.format(**WORDS) + PTP_SAME_ANATOMIC_SITE.format(
        modifiers="RT"
    )


def test_it_accepts_the_modifier_on_the_column_1_line_but_says_to_move_it():
    [finding] = check_pair("1", column_1_modifiers=("XS",))

    assert finding.severity == "info"
    assert finding.message == PTP_MODIFIER_ON_COLUMN_1.format(modifiers="XS", **WORDS)
    assert finding.fix == "Move XS from 11042 to 97597 (line 2)."


@pytest.mark.parametrize(
    ("indicator", "column_1_modifiers", "outcome"),
    [
        pytest.param("0", (), "not_paid", id="indicator-0"),
        pytest.param("1", (), "bundled", id="indicator-1"),
        pytest.param("1", ("XS",), "modifier_on_column_1", id="modifier-on-column-1"),
    ],
)
def test_it_attaches_the_edit_to_the_finding_as_data(indicator, column_1_modifiers, outcome):
    [finding] = check_pair(indicator, column_1_modifiers)

    assert finding.ptp == PtpPair(outcome, "11042", 1, "97597", 2, WORDS["rationale"])


def test_the_edits_data_follows_the_columns_not_the_line_order():
    edit = ptp_edit("11042", "97597", "1", rationale="")
    [finding] = check_ptp(claim(line(1, "97597"), line(2, "11042")), tables(ptp=[edit]))

    assert finding.ptp == PtpPair("bundled", "11042", 2, "97597", 1, "NCCI PTP edit")
    assert "(NCCI rationale: NCCI PTP edit)" in finding.message


def test_it_reads_lower_case_modifiers():
    assert check_pair("1", column_2_modifiers=("xs",)) == []


@pytest.mark.parametrize(
    ("effective", "deleted", "applies"),
    [
        pytest.param(date(2010, 1, 1), None, True, id="active-not-deleted"),
        pytest.param(date(2010, 1, 1), date(2024, 6, 30), False, id="deleted-before-the-dos"),
        pytest.param(date(2010, 1, 1), DOS, True, id="deleted-on-the-dos"),
        pytest.param(date(2024, 10, 1), None, False, id="effective-after-the-dos"),
        pytest.param(DOS, None, True, id="effective-on-the-dos"),
    ],
)
def test_it_applies_an_edit_only_on_the_dates_it_is_active(effective, deleted, applies):
    findings = check_pair("0", effective=effective, deleted=deleted)

    assert bool(findings) is applies


def test_it_ignores_an_edit_deleted_before_the_date_of_service():
    assert check_pair("0", deleted=date(2024, 3, 31)) == []


def test_it_ignores_an_edit_effective_after_the_date_of_service():
    assert check_pair("0", effective=date(2025, 1, 1)) == []


def test_it_still_applies_an_edit_on_its_deletion_date():
    assert len(check_pair("0", deleted=DOS)) == 1


def test_it_does_not_pair_lines_on_different_dates():
    edit = ptp_edit("11042", "97597", "0")
    findings = check_ptp(
        claim(line(1, "11042"), line(2, "97597", dos=date(2024, 7, 16))), tables(ptp=[edit])
    )

    assert findings == []


def test_it_does_not_treat_the_same_code_on_two_lines_as_a_pair():
    edit = ptp_edit("11042", "11042", "0")
    findings = check_ptp(claim(line(1, "11042"), line(2, "11042")), tables(ptp=[edit]))

    assert findings == []


def test_it_finds_the_pair_whichever_line_comes_first():
    edit = ptp_edit("11042", "97597", "0")
    [finding] = check_ptp(claim(line(1, "97597"), line(2, "11042")), tables(ptp=[edit]))

    assert finding.lines == (2, 1)


def test_it_reports_each_column_2_line_against_each_column_1_line():
    edit = ptp_edit("11042", "97597", "0")
    findings = check_ptp(
        claim(line(1, "11042"), line(2, "97597"), line(3, "97597")), tables(ptp=[edit])
    )

    assert [f.lines for f in findings] == [(1, 2), (1, 3)]


def test_it_finds_nothing_without_an_edit_for_the_pair():
    edit = ptp_edit("11042", "11045", "0")

    assert check_ptp(claim(line(1, "11042"), line(2, "97597")), tables(ptp=[edit])) == []

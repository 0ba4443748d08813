from datetime import date

import pytest

from medcode.rules.claim import Finding
from medcode.rules.mue import (
    MUE_CLINICAL_EDIT,
    MUE_CLINICAL_EDIT_FIX,
    MUE_LINE_EDIT,
    MUE_LINE_EDIT_FIX,
    MUE_POLICY_EDIT,
    MUE_POLICY_EDIT_FIX,
    check_mue,
)
from medcode.rules.tests.builders import SOURCES, claim, line, mue_limit, tables


def check_units(
    mai: int, *units: int, value: int = 2, dates: list[date] | None = None
) -> list[Finding]:
    dates = dates or [date(2024, 7, 15)] * len(units)
    lines = [
        line(n, "97110", units=u, dos=d)
        for n, (u, d) in enumerate(zip(units, dates, strict=True), 1)
    ]
    return check_mue(claim(*lines), tables(mue=[mue_limit("97110", value, mai)]))


@pytest.mark.parametrize(
    ("mai", "units", "flagged_lines"),
    [
        pytest.param(1, (2,), [], id="1-at-the-limit"),
        pytest.param(1, (3,), [(1,)], id="1-over-on-one-line"),
        pytest.param(1, (2, 2), [], id="1-over-only-summed-across-lines"),
        pytest.param(1, (3, 1, 4), [(1,), (3,)], id="1-each-line-on-its-own"),
        pytest.param(2, (2,), [], id="2-at-the-limit"),
        pytest.param(2, (3,), [(1,)], id="2-over-on-one-line"),
        pytest.param(2, (1, 2), [(1, 2)], id="2-over-summed-across-lines"),
        pytest.param(3, (1, 1), [], id="3-at-the-limit"),
        pytest.param(3, (3,), [(1,)], id="3-over-on-one-line"),
        pytest.param(3, (2, 1), [(1, 2)], id="3-over-summed-across-lines"),
    ],
)
def test_it_compares_units_with_the_mue_by_adjudication_indicator(mai, units, flagged_lines):
    findings = check_units(mai, *units)

    assert [f.lines for f in findings] == flagged_lines
    assert all(f.rule == "mue" and f.severity == "error" for f in findings)
    assert all(f.source == SOURCES["mue"] for f in findings)


def test_it_says_lines_with_distinct_service_modifiers_may_be_reported_separately_for_mai_1():
    [finding] = check_units(1, 5)

    words = {
        "units": "5 units",
        "limit": "2 units",
        "code": "97110",
        "line": 1,
        "value": 2,
        "rationale": "Clinical: data",
    }
    assert finding.message == MUE_LINE_EDIT.format(**words)
    assert finding.fix == MUE_LINE_EDIT_FIX.format(**words)
    assert "59, XE, XS, XP, XU, 76, 77, 91 or an anatomic modifier" in finding.fix


def test_it_says_mai_2_is_an_absolute_limit_not_overridden_on_appeal():
    [finding] = check_units(2, 2, 1)

    words = {
        "units": "3 units",
        "limit": "2 units",
        "code": "97110",
        "dos": "2024-07-15",
        "lines": "lines 1, 2",
        "value": 2,
        "rationale": "Clinical: data",
    }
    assert finding.message == MUE_POLICY_EDIT.format(**words)
    assert "not overridden even on appeal" in finding.message
    assert finding.fix == MUE_POLICY_EDIT_FIX.format(**words)


def test_it_says_mai_3_can_be_paid_on_appeal_with_documentation():
    [finding] = check_units(3, 4)

    words = {
        "units": "4 units",
        "limit": "2 units",
        "code": "97110",
        "dos": "2024-07-15",
        "lines": "line 1",
        "value": 2,
        "rationale": "Clinical: data",
    }
    assert finding.message == MUE_CLINICAL_EDIT.format(**words)
    assert "paid on appeal with documentation of medical necessity" in finding.message
    assert finding.fix == MUE_CLINICAL_EDIT_FIX.format(**words)


@pytest.mark.parametrize("mai", [2, 3])
def test_it_sums_date_of_service_edits_per_date(mai):
    findings = check_units(mai, 2, 2, dates=[date(2024, 7, 15), date(2024, 7, 16)])

    assert findings == []


def test_it_flags_every_unit_when_the_mue_is_0():
    [finding] = check_units(2, 1, value=0)

    assert finding.message.startswith(
        "97110 on 2024-07-15 totals 1 unit (line 1), over the MUE of 0"
    )


def test_it_finds_nothing_for_a_code_without_a_published_mue():
    findings = check_mue(claim(line(1, "97110", units=99)), tables())

    assert findings == []

"""Apply-fix buttons come from the fixes each rule attaches to its finding, as data."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcode.claims.fixes import Step, apply_steps, decode_fix, suggest_fixes
from medcode.rules import Claim, Finding, RuleTables
from medcode.rules.codes import check_codes
from medcode.rules.pfs import (
    check_bilateral,
    check_global_surgery,
    check_pctc,
    check_pfs_status,
    check_surgeon_modifiers,
)
from medcode.rules.ptp import check_ptp
from medcode.rules.tests.builders import claim, fee, line, ptp_edit, tables

Rule = Callable[[Claim, RuleTables], list[Finding]]
PAIR = [ptp_edit("11042", "97597")]


@pytest.mark.parametrize(
    ("rule", "the_claim", "the_tables", "expected"),
    [
        pytest.param(
            check_ptp,
            claim(line(1, "11042"), line(2, "97597")),
            tables(ptp=PAIR),
            [("Add 59 to line 2", "2+59"), ("Add XS to line 2", "2+XS")],
            id="ptp-59-or-xs-on-column-2",
        ),
        pytest.param(
            check_ptp,
            claim(line(1, "11042"), line(2, "99213")),
            tables(ptp=[ptp_edit("11042", "99213")]),
            [("Add 25 to line 2", "2+25"), ("Add 57 to line 2", "2+57")],
            id="ptp-em-25-or-57",
        ),
        pytest.param(
            check_ptp,
            claim(line(1, "11042", "59"), line(2, "97597")),
            tables(ptp=PAIR),
            [("Move 59 from line 1 to line 2", "1-59,2+59")],
            id="ptp-move-59",
        ),
        pytest.param(
            check_ptp,
            claim(line(1, "11042", "XS", "59"), line(2, "97597")),
            tables(ptp=PAIR),
            [("Move 59, XS from line 1 to line 2", "1-59-XS,2+59+XS")],
            id="ptp-move-both",
        ),
        pytest.param(
            check_ptp,
            claim(line(1, "11042"), line(2, "97597")),
            tables(ptp=[ptp_edit("11042", "97597", "0")]),
            [],
            id="ptp-0-no-button",
        ),
        pytest.param(
            check_global_surgery,
            claim(line(1, "11042"), line(2, "99213", "57")),
            tables(fees=[fee("11042", global_days="010")]),
            [("Replace 57 with 25 on line 2", "2-57+25")],
            id="global-57-to-25",
        ),
        pytest.param(
            check_global_surgery,
            claim(line(1, "27447"), line(2, "99213")),
            tables(fees=[fee("27447", global_days="090")]),
            [("Add 57 to line 2", "2+57"), ("Add 25 to line 2", "2+25")],
            id="global-major-57",
        ),
        pytest.param(
            check_global_surgery,
            claim(line(1, "11042"), line(2, "99213")),
            tables(fees=[fee("11042", global_days="000")]),
            [("Add 25 to line 2", "2+25")],
            id="global-minor-25",
        ),
        pytest.param(
            check_bilateral,
            claim(line(1, "11042", "50")),
            tables(fees=[fee("11042", bilateral=2)]),
            [("Remove 50 from line 1", "1-50")],
            id="bilateral-2",
        ),
        pytest.param(
            check_bilateral,
            claim(line(1, "11042", "50")),
            tables(fees=[fee("11042", bilateral=0)]),
            [("Remove 50 from line 1", "1-50")],
            id="bilateral-0",
        ),
        pytest.param(
            check_bilateral,
            claim(line(1, "11042", "50")),
            tables(fees=[fee("11042", bilateral=3)]),
            [],
            id="bilateral-3-no-button",
        ),
        pytest.param(
            check_pctc,
            claim(line(1, "71046", "26", "TC")),
            tables(fees=[fee("71046", pctc=1)]),
            [("Remove 26 from line 1", "1-26"), ("Remove TC from line 1", "1-TC")],
            id="pctc-both",
        ),
        pytest.param(
            check_pctc,
            claim(line(1, "11042", "26")),
            tables(fees=[fee("11042", pctc=2)]),
            [("Remove 26 from line 1", "1-26")],
            id="pctc-2",
        ),
        pytest.param(
            check_surgeon_modifiers,
            claim(line(1, "11042", "62")),
            tables(fees=[fee("11042", cosurgeon=0)]),
            [("Remove 62 from line 1", "1-62")],
            id="cosurgeon-0",
        ),
        pytest.param(
            check_surgeon_modifiers,
            claim(line(1, "11042", "80")),
            tables(fees=[fee("11042", assistant=1)]),
            [],
            id="assistant-1-no-button",
        ),
        pytest.param(
            check_codes,
            claim(line(1, "11042", "Q9")),
            tables(codes=["11042"], modifiers=["25"]),
            [("Remove Q9 from line 1", "1-Q9")],
            id="unknown-modifier",
        ),
        pytest.param(
            check_pfs_status,
            claim(line(1, "11042")),
            tables(fees=[fee("11042", status="N")]),
            [("Add GY to line 1", "1+GY")],
            id="status-n-gy",
        ),
        pytest.param(
            check_pfs_status,
            claim(line(1, "93010", "26")),
            tables(fees=[fee("93010"), fee("93010", "26", status="H")]),
            [("Remove 26 from line 1", "1-26")],
            id="status-h-component",
        ),
        pytest.param(
            check_pfs_status,
            claim(line(1, "99070")),
            tables(fees=[fee("99070", status="B")]),
            [],
            id="status-b-no-button",
        ),
    ],
)
def test_each_rule_attaches_the_modifier_changes_its_fix_names(
    rule: Rule, the_claim: Claim, the_tables: RuleTables, expected: list[tuple[str, str]]
):
    [finding] = rule(the_claim, the_tables)

    assert [(a.label, a.value) for a in suggest_fixes(finding)] == expected
    for fix in finding.fixes:  # and the words say the same
        assert all(m in (finding.fix or "") for m in fix.modifiers)


def test_a_fix_round_trips_through_its_form_value():
    assert decode_fix("1-59,2+59") == [Step(1, remove=("59",)), Step(2, add=("59",))]
    assert decode_fix("2-57+25") == [Step(2, remove=("57",), add=("25",))]


@pytest.mark.parametrize("value", ["", "x", "2+5", "2*59", "99999+59"])
def test_a_malformed_fix_is_refused(value):
    with pytest.raises(ValueError):
        decode_fix(value)


def test_a_step_keeps_a_line_to_four_modifiers_and_adds_nothing_twice():
    assert apply_steps(["59"], Step(1, add=("59",))) == ["59"]
    assert apply_steps(["RT", "LT", "GY", "GA"], Step(1, add=("59",))) == ["RT", "LT", "GY", "GA"]
    assert apply_steps(["57", ""], Step(1, remove=("57",), add=("25",))) == ["25"]

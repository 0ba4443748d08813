"""Apply-fix buttons are read from the rules' own fix texts."""

from __future__ import annotations

import pytest

from medcode.claims.fixes import Step, apply_steps, decode_fix, suggest_fixes
from medcode.rules import Finding, pfs, ptp
from medcode.rules.codes import MODIFIER_INVALID_FIX

CODES = {1: "11042", 2: "97597"}


def finding(fix: str, lines: tuple[int, ...] = (1, 2)) -> Finding:
    return Finding("ptp", "error", lines, "why", fix, "source")


def words(**extra: str) -> dict[str, str]:
    return {"column_1": "11042", "column_2": "97597", "line_2": "line 2", **extra}


@pytest.mark.parametrize(
    ("fix", "lines", "codes", "expected"),
    [
        pytest.param(
            ptp.PTP_MODIFIER_NEEDED_FIX.format(**words()),
            (1, 2),
            CODES,
            [("Add 59 to line 2", "2+59"), ("Add XS to line 2", "2+XS")],
            id="ptp-59-or-xs-on-column-2",
        ),
        pytest.param(
            ptp.PTP_MODIFIER_NEEDED_EM_FIX.format(column_1="11042", column_2="99213"),
            (1, 2),
            {1: "11042", 2: "99213"},
            [("Add 25 to line 2", "2+25"), ("Add 57 to line 2", "2+57")],
            id="ptp-em-25-or-57",
        ),
        pytest.param(
            ptp.PTP_MODIFIER_ON_COLUMN_1_FIX.format(modifiers="59", **words()),
            (1, 2),
            CODES,
            [("Move 59 from line 1 to line 2", "1-59,2+59")],
            id="ptp-move-59",
        ),
        pytest.param(
            ptp.PTP_NO_MODIFIER_ALLOWED_FIX.format(**words()),
            (1, 2),
            CODES,
            [],
            id="ptp-0-no-button",
        ),
        pytest.param(
            pfs.GLOBAL_MINOR_WITH_57_FIX.format(em="99213", procedure="11042"),
            (2, 1),
            {1: "11042", 2: "99213"},
            [("Replace 57 with 25 on line 2", "2-57+25")],
            id="global-57-to-25",
        ),
        pytest.param(
            pfs.GLOBAL_MAJOR_WITHOUT_57_FIX.format(em="99213", procedure="27447"),
            (2, 1),
            {1: "27447", 2: "99213"},
            [("Add 57 to line 2", "2+57"), ("Add 25 to line 2", "2+25")],
            id="global-major-57",
        ),
        pytest.param(
            pfs.BILATERAL_MESSAGES[2][2].format(code="11042"),
            (1,),
            CODES,
            [("Remove 50 from line 1", "1-50")],
            id="bilateral-2",
        ),
        pytest.param(
            pfs.BILATERAL_MESSAGES[0][2].format(code="11042"),
            (1,),
            CODES,
            [("Remove 50 from line 1", "1-50")],
            id="bilateral-0",
        ),
        pytest.param(
            pfs.PCTC_BOTH_FIX.format(code="11042"),
            (1,),
            CODES,
            [("Remove 26 from line 1", "1-26"), ("Remove TC from line 1", "1-TC")],
            id="pctc-both",
        ),
        pytest.param(
            pfs.PCTC_FIXES[2].format(code="11042", modifier="26"),
            (1,),
            CODES,
            [("Remove 26 from line 1", "1-26")],
            id="pctc-2",
        ),
        pytest.param(
            pfs.COSURGEON_MESSAGES[0][2].format(code="11042"),
            (1,),
            CODES,
            [("Remove 62 from line 1", "1-62")],
            id="cosurgeon-0",
        ),
        pytest.param(
            MODIFIER_INVALID_FIX.format(modifier="Q9", code="11042"),
            (1,),
            CODES,
            [("Remove Q9 from line 1", "1-Q9")],
            id="unknown-modifier",
        ),
        pytest.param(
            str(pfs.PFS_STATUS_MESSAGES["N"][2]).format(code="11042"),
            (1,),
            CODES,
            [("Add GY to line 1", "1+GY")],
            id="status-n-gy",
        ),
        pytest.param(
            str(pfs.PFS_STATUS_MESSAGES["B"][2]).format(code="99070"),
            (1,),
            {1: "99070"},
            [],
            id="status-b-no-button",
        ),
    ],
)
def test_it_offers_the_modifier_changes_the_fix_names(fix, lines, codes, expected):
    actions = suggest_fixes(finding(fix, lines), codes)

    assert [(a.label, a.value) for a in actions] == expected


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

from datetime import date

import pytest

from medcode.rules.codes import DUPLICATE_LINES, DUPLICATE_LINES_FIX, check_duplicate_lines
from medcode.rules.tests.builders import claim, line, tables


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param([line(1, "11042"), line(2, "11042")], [(1, 2)], id="same-code-date"),
        pytest.param(
            [line(1, "11042", "59"), line(2, "11042", "59"), line(3, "11042", "59")],
            [(1, 2, 3)],
            id="three-with-same-modifier",
        ),
        pytest.param(
            [line(1, "11042", "RT", "59"), line(2, "11042", "59", "RT")],
            [(1, 2)],
            id="modifier-order-does-not-matter",
        ),
        pytest.param([line(1, "11042"), line(2, "11042", "76")], [], id="76-marks-a-repeat"),
        pytest.param([line(1, "85025"), line(2, "85025", "91")], [], id="91-marks-a-repeat"),
        pytest.param(
            [line(1, "11042"), line(2, "11042", dos=date(2024, 7, 16))], [], id="other-date"
        ),
        pytest.param([line(1, "11042"), line(2, "11043")], [], id="other-code"),
    ],
)
def test_it_warns_of_lines_repeating_code_date_and_modifiers(lines, expected):
    findings = check_duplicate_lines(claim(*lines), tables())

    assert [f.lines for f in findings] == expected
    assert all(f.severity == "warning" and f.rule == "duplicate_line" for f in findings)


def test_it_says_which_lines_repeat_and_how_to_fix_them():
    [finding] = check_duplicate_lines(
        claim(line(1, "11042", "59", units=2), line(3, "11042", "59")), tables()
    )

    words = {"code": "11042", "lines": "lines 1, 3", "dos": "2024-07-15", "modifiers": "59"}
    assert finding.message == DUPLICATE_LINES.format(**words, units="3 units")
    assert finding.fix == DUPLICATE_LINES_FIX.format(**words, units="3 units")

import pytest

from medcode.rules.pfs import BILATERAL_MESSAGES, check_bilateral
from medcode.rules.tests.builders import SOURCES, claim, fee, line, tables


@pytest.mark.parametrize(
    ("indicator", "severity"),
    [
        pytest.param(0, "error", id="0-150-percent-does-not-apply"),
        pytest.param(1, None, id="1-150-percent-applies"),
        pytest.param(2, "warning", id="2-already-bilateral"),
        pytest.param(3, "info", id="3-each-side-at-100-percent"),
        pytest.param(9, "error", id="9-concept-does-not-apply"),
    ],
)
def test_it_compares_modifier_50_with_the_bilateral_indicator(indicator, severity):
    findings = check_bilateral(
        claim(line(1, "27447", "50")), tables(fees=[fee("27447", bilateral=indicator)])
    )

    assert [f.severity for f in findings] == ([severity] if severity else [])
    if severity:
        _, message, fix = BILATERAL_MESSAGES[indicator]
        [finding] = findings
        assert finding.message == message.format(code="27447", line="line 1")
        assert finding.fix == fix.format(code="27447")
        assert (finding.rule, finding.lines, finding.source) == ("bilateral", (1,), SOURCES["pfs"])


@pytest.mark.parametrize("indicator", [0, 1, 2, 3, 9])
def test_it_ignores_lines_without_modifier_50(indicator):
    findings = check_bilateral(
        claim(line(1, "27447", "RT")), tables(fees=[fee("27447", bilateral=indicator)])
    )

    assert findings == []


def test_it_says_the_150_percent_adjustment_does_not_apply_for_indicator_0():
    [finding] = check_bilateral(
        claim(line(1, "27447", "50")), tables(fees=[fee("27447", bilateral=0)])
    )

    assert "the 150% bilateral adjustment does not apply" in finding.message

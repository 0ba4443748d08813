import pytest

from medcode.rules.pfs import (
    PCTC_BOTH,
    PCTC_MEANINGS,
    PCTC_NO_TC,
    PCTC_NOT_ALLOWED,
    PCTC_ONLY_INDICATOR_1,
    check_pctc,
)
from medcode.rules.tests.builders import SOURCES, claim, fee, line, tables


@pytest.mark.parametrize(
    ("indicator", "modifier", "is_flagged"),
    [
        pytest.param(0, "26", True, id="0-physician-service-26"),
        pytest.param(0, "TC", True, id="0-physician-service-TC"),
        pytest.param(1, "26", False, id="1-diagnostic-test-26"),
        pytest.param(1, "TC", False, id="1-diagnostic-test-TC"),
        pytest.param(2, "26", True, id="2-professional-only-26"),
        pytest.param(2, "TC", True, id="2-professional-only-TC"),
        pytest.param(3, "26", True, id="3-technical-only-26"),
        pytest.param(3, "TC", True, id="3-technical-only-TC"),
        pytest.param(4, "26", True, id="4-global-test-only-26"),
        pytest.param(4, "TC", True, id="4-global-test-only-TC"),
        pytest.param(5, "26", True, id="5-incident-to-26"),
        pytest.param(5, "TC", True, id="5-incident-to-TC"),
        pytest.param(6, "26", False, id="6-lab-interpretation-26"),
        pytest.param(6, "TC", True, id="6-lab-interpretation-TC"),
        pytest.param(7, "26", True, id="7-physical-therapy-26"),
        pytest.param(7, "TC", True, id="7-physical-therapy-TC"),
        pytest.param(8, "26", False, id="8-physician-interpretation-26"),
        pytest.param(8, "TC", True, id="8-physician-interpretation-TC"),
        pytest.param(9, "26", True, id="9-not-applicable-26"),
        pytest.param(9, "TC", True, id="9-not-applicable-TC"),
    ],
)
def test_it_compares_26_and_tc_with_the_pctc_indicator(indicator, modifier, is_flagged):
    findings = check_pctc(
        claim(line(1, "71046", modifier)), tables(fees=[fee("71046", pctc=indicator)])
    )

    assert len(findings) == is_flagged
    for finding in findings:
        allowed = PCTC_NO_TC if indicator in (6, 8) else PCTC_ONLY_INDICATOR_1
        assert finding.message == PCTC_NOT_ALLOWED.format(
            code="71046",
            line="line 1",
            modifier=modifier,
            indicator=indicator,
            meaning=PCTC_MEANINGS[indicator],
            allowed=allowed,
        )
        assert (finding.rule, finding.severity, finding.lines) == ("pctc", "error", (1,))
        assert finding.source == SOURCES["pfs"]


def test_it_points_a_global_test_only_code_to_its_component_codes():
    [finding] = check_pctc(claim(line(1, "93000", "26")), tables(fees=[fee("93000", pctc=4)]))

    assert finding.fix == (
        "Remove 26 and report the separate professional-component or technical-component "
        "code for this test."
    )


def test_it_rejects_26_and_tc_together_on_one_line():
    [finding] = check_pctc(claim(line(1, "71046", "26", "TC")), tables(fees=[fee("71046", pctc=1)]))

    assert finding.message == PCTC_BOTH.format(code="71046", line="line 1")


def test_it_ignores_lines_without_26_or_tc():
    assert check_pctc(claim(line(1, "99213", "25")), tables(fees=[fee("99213", pctc=0)])) == []

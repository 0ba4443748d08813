import pytest

from medcode.rules.claim import Finding
from medcode.rules.pfs import (
    ASSISTANT_MESSAGES,
    COSURGEON_MESSAGES,
    TEAM_MESSAGES,
    check_surgeon_modifiers,
)
from medcode.rules.tests.builders import SOURCES, claim, fee, line, tables


def check_modifier(
    modifier: str, *, assistant: int = 2, cosurgeon: int = 2, team: int = 2
) -> list[Finding]:
    indicators = fee("27447", assistant=assistant, cosurgeon=cosurgeon, team=team)
    return check_surgeon_modifiers(claim(line(1, "27447", modifier)), tables(fees=[indicators]))


@pytest.mark.parametrize("modifier", ["80", "81", "82", "AS"])
@pytest.mark.parametrize(
    ("indicator", "severity"),
    [
        pytest.param(0, "warning", id="0-documentation"),
        pytest.param(1, "error", id="1-statutory-restriction"),
        pytest.param(2, None, id="2-paid"),
        pytest.param(9, "error", id="9-not-applicable"),
    ],
)
def test_it_compares_assistant_modifiers_with_the_assistant_indicator(
    modifier, indicator, severity
):
    findings = check_modifier(modifier, assistant=indicator)

    assert [(f.rule, f.severity) for f in findings] == (
        [("assistant", severity)] if severity else []
    )
    if severity:
        _, message, fix = ASSISTANT_MESSAGES[indicator]
        words = {"code": "27447", "line": "line 1", "modifier": modifier}
        assert findings[0].message == message.format(**words)
        assert findings[0].fix == fix.format(**words)
        assert findings[0].source == SOURCES["pfs"]


@pytest.mark.parametrize(
    ("indicator", "severity"),
    [
        pytest.param(0, "error", id="0-not-permitted"),
        pytest.param(1, "warning", id="1-documentation"),
        pytest.param(2, None, id="2-permitted"),
        pytest.param(9, "error", id="9-not-applicable"),
    ],
)
def test_it_compares_modifier_62_with_the_co_surgeon_indicator(indicator, severity):
    findings = check_modifier("62", cosurgeon=indicator)

    assert [(f.rule, f.severity) for f in findings] == (
        [("cosurgeon", severity)] if severity else []
    )
    if severity:
        _, message, _ = COSURGEON_MESSAGES[indicator]
        assert findings[0].message == message.format(code="27447", line="line 1")


@pytest.mark.parametrize(
    ("indicator", "severity"),
    [
        pytest.param(0, "error", id="0-not-permitted"),
        pytest.param(1, "warning", id="1-documentation"),
        pytest.param(2, None, id="2-permitted"),
        pytest.param(9, "error", id="9-not-applicable"),
    ],
)
def test_it_compares_modifier_66_with_the_team_surgery_indicator(indicator, severity):
    findings = check_modifier("66", team=indicator)

    assert [(f.rule, f.severity) for f in findings] == ([("team", severity)] if severity else [])
    if severity:
        _, message, _ = TEAM_MESSAGES[indicator]
        assert findings[0].message == message.format(code="27447", line="line 1")


def test_it_says_an_assistant_is_never_paid_under_a_statutory_restriction():
    [finding] = check_modifier("80", assistant=1)

    assert "statutory payment restriction" in finding.message


def test_it_ignores_surgeon_indicators_when_no_surgeon_modifier_is_used():
    assert check_modifier("RT", assistant=1, cosurgeon=0, team=0) == []

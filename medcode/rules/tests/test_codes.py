from datetime import date

import pytest

from medcode.rules.codes import (
    CODE_INVALID,
    MODIFIER_INVALID,
    UNITS_NOT_POSITIVE,
    check_codes,
)
from medcode.rules.tables import InMemoryTables, Span
from medcode.rules.tests.builders import SOURCES, claim, line

CODES = InMemoryTables(
    codes={
        "99213": Span(),
        "G0101": Span(date(2001, 7, 1), date(2024, 6, 30)),
        "0001U": Span(date(2025, 1, 1)),
    },
    modifiers={"25": Span(), "XS": Span(date(2015, 1, 1)), "GN": Span(None, date(2019, 12, 31))},
    sources=SOURCES,
)


@pytest.mark.parametrize(
    ("code", "dos", "is_valid"),
    [
        pytest.param("99213", date(2024, 7, 15), True, id="valid"),
        pytest.param("99999", date(2024, 7, 15), False, id="unknown"),
        pytest.param("G0101", date(2024, 7, 15), False, id="terminated-before-the-dos"),
        pytest.param("G0101", date(2024, 6, 30), True, id="terminated-on-the-dos"),
        pytest.param("0001U", date(2024, 7, 15), False, id="effective-after-the-dos"),
        pytest.param("g0101", date(2024, 1, 2), True, id="lower-case"),
    ],
)
def test_it_rejects_a_code_not_valid_on_the_date_of_service(code, dos, is_valid):
    findings = check_codes(claim(line(1, code, dos=dos)), CODES)

    assert [f.rule for f in findings] == ([] if is_valid else ["code_invalid"])
    for finding in findings:
        assert finding.message == CODE_INVALID.format(
            code=code.upper(), line="line 1", dos=dos.isoformat()
        )
        assert finding.source == SOURCES["codes"]


@pytest.mark.parametrize(("units", "is_valid"), [(1, True), (12, True), (0, False), (-1, False)])
def test_it_rejects_units_of_zero_or_less(units, is_valid):
    findings = check_codes(claim(line(1, "99213", units=units)), CODES)

    assert [f.message for f in findings] == (
        []
        if is_valid
        else [UNITS_NOT_POSITIVE.format(code="99213", line="line 1", units=f"{units} units")]
    )
    assert all(f.rule == "units_zero" and f.severity == "error" for f in findings)


@pytest.mark.parametrize(
    ("modifier", "dos", "is_valid"),
    [
        pytest.param("25", date(2024, 7, 15), True, id="valid"),
        pytest.param("xs", date(2024, 7, 15), True, id="lower-case"),
        pytest.param("XS", date(2014, 12, 31), False, id="before-it-was-added"),
        pytest.param("GN", date(2024, 7, 15), False, id="after-it-was-discontinued"),
        pytest.param("Q9", date(2024, 7, 15), False, id="unknown"),
    ],
)
def test_it_rejects_a_modifier_not_valid_on_the_date_of_service(modifier, dos, is_valid):
    findings = check_codes(claim(line(1, "99213", modifier, dos=dos)), CODES)

    assert [f.rule for f in findings] == ([] if is_valid else ["modifier_invalid"])
    for finding in findings:
        assert finding.message == MODIFIER_INVALID.format(
            modifier=modifier.upper(), code="99213", line="line 1", dos=dos.isoformat()
        )
        assert finding.source == SOURCES["modifiers"]

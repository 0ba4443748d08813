from datetime import date

import pytest

from medcode.rules.claim import Finding
from medcode.rules.pfs import (
    GLOBAL_MAJOR_WITHOUT_57,
    GLOBAL_MAJOR_WITHOUT_57_FIX,
    GLOBAL_MINOR_WITH_57,
    GLOBAL_MINOR_WITHOUT_25,
    GLOBAL_MINOR_WITHOUT_25_FIX,
    check_global_surgery,
)
from medcode.rules.tests.builders import SOURCES, claim, fee, line, tables


def check_visit(
    global_days: str, *visit_modifiers: str, visit_dos: date = date(2024, 7, 15)
) -> list[Finding]:
    fees = [fee("99214"), fee("27447", global_days=global_days)]
    return check_global_surgery(
        claim(line(1, "99214", *visit_modifiers, dos=visit_dos), line(2, "27447")),
        tables(fees=fees),
    )


@pytest.mark.parametrize(
    ("global_days", "modifiers", "template"),
    [
        pytest.param("000", (), GLOBAL_MINOR_WITHOUT_25, id="000-without-25"),
        pytest.param("000", ("25",), None, id="000-with-25"),
        pytest.param("010", (), GLOBAL_MINOR_WITHOUT_25, id="010-without-25"),
        pytest.param("010", ("25",), None, id="010-with-25"),
        pytest.param("010", ("57",), GLOBAL_MINOR_WITH_57, id="010-with-57"),
        pytest.param("090", (), GLOBAL_MAJOR_WITHOUT_57, id="090-without-57"),
        pytest.param("090", ("57",), None, id="090-with-57"),
        pytest.param("090", ("25",), None, id="090-with-25"),
        pytest.param("XXX", (), None, id="XXX-no-global-period"),
        pytest.param("ZZZ", (), None, id="ZZZ-add-on"),
        pytest.param("MMM", (), None, id="MMM-maternity"),
        pytest.param("YYY", (), None, id="YYY-contractor-set"),
    ],
)
def test_it_asks_for_25_or_57_on_a_visit_the_day_of_a_procedure(global_days, modifiers, template):
    findings = check_visit(global_days, *modifiers)

    assert [f.message for f in findings] == (
        [
            template.format(
                em="99214",
                em_line="line 1",
                procedure="27447",
                procedure_line="line 2",
                days=int(global_days),
            )
        ]
        if template
        else []
    )
    assert all(
        f.rule == "global_surgery" and f.severity == "error" and f.lines == (1, 2) for f in findings
    )
    assert all(f.source == SOURCES["pfs"] for f in findings)


def test_it_names_25_in_the_fix_for_a_minor_procedure():
    [finding] = check_visit("010")

    assert finding.fix == GLOBAL_MINOR_WITHOUT_25_FIX.format(em="99214", procedure="27447")
    assert finding.fix.startswith("Append 25 to 99214")


def test_it_names_57_in_the_fix_for_a_major_procedure():
    [finding] = check_visit("090")

    assert finding.fix == GLOBAL_MAJOR_WITHOUT_57_FIX.format(em="99214")
    assert finding.fix.startswith("Append 57 to 99214")


def test_it_ignores_a_visit_on_another_date():
    assert check_visit("090", visit_dos=date(2024, 7, 14)) == []


@pytest.mark.parametrize(
    ("modifiers", "flagged_lines"),
    [
        pytest.param((), [(1, 3)], id="no-modifier-is-judged-against-the-major-procedure"),
        pytest.param(("57",), [], id="57-is-right-for-the-major-procedure"),
    ],
)
def test_it_judges_the_visit_against_the_longest_global_period_on_the_date(
    modifiers, flagged_lines
):
    fees = [fee("99214"), fee("11042", global_days="000"), fee("27447", global_days="090")]
    findings = check_global_surgery(
        claim(line(1, "99214", *modifiers), line(2, "11042"), line(3, "27447")),
        tables(fees=fees),
    )

    assert [f.lines for f in findings] == flagged_lines


def test_it_does_not_treat_an_e_m_code_as_the_procedure():
    fees = [fee("99214"), fee("99215", global_days="090")]

    assert check_global_surgery(claim(line(1, "99214"), line(2, "99215")), tables(fees=fees)) == []

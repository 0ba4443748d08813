from datetime import date

import pytest

from medcode.rules.addon import (
    ADDON_ALONE,
    ADDON_WITHOUT_LISTED_PRIMARY,
    ADDON_WITHOUT_PRIMARY,
    ADDON_WITHOUT_PRIMARY_FIX,
    check_addon,
)
from medcode.rules.tables import CONTRACTOR_DEFINED_PRIMARY, AddOnEdit
from medcode.rules.tests.builders import SOURCES, addon_edit, claim, line, tables

OTHER_DAY = date(2024, 7, 16)


def edits_of_type(edit_type: int) -> list[AddOnEdit]:
    if edit_type == 2:
        return [addon_edit("99153", CONTRACTOR_DEFINED_PRIMARY, 2)]
    return [addon_edit("99153", "99152", edit_type), addon_edit("99153", "99156", edit_type)]


@pytest.mark.parametrize(
    ("edit_type", "others", "severity"),
    [
        pytest.param(1, [("99152", None)], None, id="1-with-a-listed-primary"),
        pytest.param(1, [], "error", id="1-alone"),
        pytest.param(1, [("11042", None)], "error", id="1-with-an-unlisted-code"),
        pytest.param(1, [("99152", OTHER_DAY)], "error", id="1-primary-on-another-day"),
        pytest.param(2, [], "warning", id="2-alone"),
        pytest.param(2, [("11042", None)], None, id="2-with-another-procedure"),
        pytest.param(3, [("99156", None)], None, id="3-with-a-listed-primary"),
        pytest.param(3, [], "warning", id="3-alone"),
        pytest.param(3, [("11042", None)], "warning", id="3-with-an-unlisted-code"),
    ],
)
def test_it_looks_for_the_primary_procedure_by_edit_type(edit_type, others, severity):
    lines = [line(1, "99153")]
    lines += [
        line(n, code, dos=dos or date(2024, 7, 15)) for n, (code, dos) in enumerate(others, 2)
    ]

    findings = check_addon(claim(*lines), tables(addons=edits_of_type(edit_type)))

    assert [f.severity for f in findings] == ([severity] if severity else [])
    assert all(f.rule == "addon" and f.lines == (1,) for f in findings)
    assert all(f.source == SOURCES["addon"] for f in findings)


def test_it_names_the_listed_primaries_for_a_type_1_add_on():
    [finding] = check_addon(claim(line(1, "99153")), tables(addons=edits_of_type(1)))

    words = {"addon": "99153", "line": 1, "dos": "2024-07-15", "primaries": "99152, 99156"}
    assert finding.message == ADDON_WITHOUT_PRIMARY.format(**words)
    assert finding.fix == ADDON_WITHOUT_PRIMARY_FIX.format(**words)


def test_it_says_contractors_may_allow_other_primaries_for_a_type_3_add_on():
    [finding] = check_addon(claim(line(1, "99153")), tables(addons=edits_of_type(3)))

    words = {"addon": "99153", "line": 1, "dos": "2024-07-15", "primaries": "99152, 99156"}
    assert finding.message == ADDON_WITHOUT_LISTED_PRIMARY.format(**words)


def test_it_says_the_contractor_defines_primaries_for_a_type_2_add_on():
    [finding] = check_addon(claim(line(1, "99153")), tables(addons=edits_of_type(2)))

    words = {"addon": "99153", "line": 1, "dos": "2024-07-15", "primaries": ""}
    assert finding.message == ADDON_ALONE.format(**words)
    assert "the contractor defines them" in finding.message


def test_it_shortens_a_long_list_of_primaries():
    edits = [addon_edit("11045", f"110{n:02d}") for n in range(10, 22)]
    [finding] = check_addon(claim(line(1, "11045")), tables(addons=edits))

    assert finding.fix is not None
    assert "11010, 11011, 11012, 11013, 11014, 11015, 11016, 11017 and 4 more" in finding.fix


@pytest.mark.parametrize(
    ("effective", "deleted", "applies"),
    [
        pytest.param(None, None, True, id="undated"),
        pytest.param(date(2010, 1, 1), date(2024, 6, 30), False, id="deleted-before-the-dos"),
        pytest.param(date(2010, 1, 1), date(2024, 7, 15), True, id="deleted-on-the-dos"),
        pytest.param(date(2025, 1, 1), None, False, id="effective-after-the-dos"),
    ],
)
def test_it_considers_only_edits_active_on_the_date_of_service(effective, deleted, applies):
    edit = addon_edit("99153", "99152", 1, effective=effective, deleted=deleted)

    findings = check_addon(claim(line(1, "99153")), tables(addons=[edit]))

    assert bool(findings) is applies


def test_it_does_not_count_a_primary_whose_edit_was_deleted():
    edits = [
        addon_edit("99153", "99151", 1, deleted=date(2020, 12, 31)),
        addon_edit("99153", "99152", 1),
    ]
    findings = check_addon(claim(line(1, "99153"), line(2, "99151")), tables(addons=edits))

    assert [f.severity for f in findings] == ["error"]


def test_it_ignores_codes_that_are_not_add_on_codes():
    assert check_addon(claim(line(1, "11042")), tables(addons=edits_of_type(1))) == []

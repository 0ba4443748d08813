"""MS-DRG grouping (rules/drg.py over drgpy) against hand-justified cases.

data/msdrg_cases.csv holds each case's expected MS-DRG with its one-line justification from the
Definitions Manual logic (MDC, the DRG family, the CC/MCC of Tables 6I/6J, Appendix C
exclusions), and what drgpy 0.2.1 gives. Where drgpy differs the row says why
(`difference`); those rows are strict xfails against the expectation, and a second test holds
drgpy's own answer so a change in drgpy shows up here. docs/msdrg-grouping.md lists them.
"""

from __future__ import annotations

import csv
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path

import pytest

from medcode.rules.drg import DrgWeight, Grouping, drgpy_release, group_discharge
from medcode.rules.mce import Discharge

CASES = Path(__file__).parent / "data" / "msdrg_cases.csv"
ROWS = list(csv.DictReader(CASES.open(encoding="utf-8")))
# A few Table 5 rows (FY2026 values) for the weight look-up; the rest come back as None.
TABLE5 = {
    "281": DrgWeight(
        "281",
        "ACUTE MYOCARDIAL INFARCTION, DISCHARGED ALIVE WITH CC",
        "05",
        "MED",
        0.9191,
        2.3,
        2.9,
    ),
    "291": DrgWeight("291", "HEART FAILURE AND SHOCK WITH MCC", "05", "MED", 1.2838, 3.8, 5.0),
    "293": DrgWeight("293", "HEART FAILURE AND SHOCK WITHOUT CC/MCC", "05", "MED", 0.566, 2.1, 2.5),
}


# IPPS Tables 6I/6J (FY2026) for the secondary diagnoses of the case file.
TABLES_6IJ = {
    "N170": "MCC", "J9601": "MCC", "R6520": "MCC", "I5021": "MCC", "J1282": "MCC",
    "N179": "CC", "E871": "CC", "N184": "CC", "D62": "CC", "Z5900": "CC", "Z1612": "CC",
}  # fmt: skip


class Weights:
    def weight(self, drg: str) -> DrgWeight | None:
        return TABLE5.get(drg)

    def source(self) -> str:
        return "MS-DRG v43 FY2026 (test)"

    def listed_severity(self, code: str) -> str | None:
        return TABLES_6IJ.get(code)


def discharge(row: dict[str, str]) -> Discharge:
    def plain(codes: str) -> tuple[str, ...]:
        return tuple(c.replace(".", "") for c in codes.split())

    return Discharge(
        date.fromisoformat(row["discharge_date"]),
        row["principal"].replace(".", ""),
        plain(row["secondary"]),
        plain(row["procedures"]),
        sex=row["sex"],
        discharge_status=row["discharge_status"],
    )


def grouped(row: dict[str, str]) -> Grouping:
    return group_discharge(discharge(row), Weights())


def expectation(row: dict[str, str]) -> object:
    marks = (
        [pytest.mark.xfail(strict=True, reason=f"known drgpy difference: {row['difference']}")]
        if row["difference"]
        else []
    )
    return pytest.param(row, id=row["case"], marks=marks)


def test_the_case_file_holds_at_least_30_justified_cases():
    assert len(ROWS) >= 30
    assert all(r["justification"] and r["expected_drg"].isdigit() for r in ROWS)
    # A difference is written down exactly where drgpy's answer is not the expected one.
    assert all(bool(r["difference"]) == (r["drgpy_drg"] != r["expected_drg"]) for r in ROWS)


@pytest.mark.parametrize("row", [expectation(r) for r in ROWS])
def test_drgpy_groups_the_case_as_the_definitions_do(row):
    assert grouped(row).drg == row["expected_drg"]


@pytest.mark.parametrize("row", [pytest.param(r, id=r["case"]) for r in ROWS if r["difference"]])
def test_drgpy_still_gives_its_recorded_answer_where_it_differs(row):
    assert grouped(row).drg == row["drgpy_drg"]


def by_case(name: str) -> dict[str, str]:
    return next(r for r in ROWS if r["case"] == name)


def test_the_grouping_names_the_cc_that_drove_it_and_cites_table_5():
    result = grouped(by_case("ami_cc"))  # I21.4 with E11.9 and N18.4

    assert (result.drg, result.mdc, result.weight) == ("281", "05", 0.9191)
    assert result.title.endswith("WITH CC")
    assert result.drove == ("N184",)
    assert [(s.code, s.level, s.counted) for s in result.severity] == [("N184", "CC", True)]
    assert result.weight_source == "MS-DRG v43 FY2026 (test)"
    assert result.version == "v43.1" and result.grouper.startswith("drgpy ")


def test_the_grouping_names_the_installed_drgpy_read_once_a_process():
    installed = package_version("drgpy")
    drgpy_release.cache_clear()
    results = [grouped(by_case("ami_cc")), grouped(by_case("hf_mcc"))]

    assert all(r.grouper.startswith(f"drgpy {installed}, MS-DRG v43") for r in results)
    # importlib.metadata parses the package metadata (~3 ms): once, not per grouping.
    assert drgpy_release.cache_info().misses == 1


def test_an_mcc_on_the_principals_exclusion_list_is_shown_not_counted():
    result = grouped(by_case("hf_excluded_mcc"))  # I50.9 with I50.21

    assert result.drg == "293"
    [severity] = result.severity
    assert (severity.code, severity.level, severity.counted) == ("I5021", "MCC", False)
    assert "exclusion list of principal I50.9" in severity.reason
    assert result.drove == ()


def test_the_version_follows_the_discharge_date():
    row = by_case("hf_mcc")
    before = group_discharge(Discharge(date(2025, 11, 15), "I509", ("N170",), sex="M"), Weights())
    after = grouped(row)

    assert (before.version, after.version) == ("v43", "v43.1")
    assert before.drg == after.drg == "291"


def test_a_principal_outside_the_tables_is_not_guessed():
    # drgpy itself would drop the last character and group E1 / I21.0-as-I21; we do not.
    result = group_discharge(Discharge(date(2026, 5, 4), "I210", sex="M"), Weights())

    assert not result.grouped
    assert "I21.0 is not a diagnosis in the MS-DRG v43.1 tables" in result.reason


def test_without_sex_a_sex_dependent_drg_is_not_assigned():
    no_sex = group_discharge(Discharge(date(2026, 5, 4), "N400"), Weights())
    either = group_discharge(Discharge(date(2026, 5, 4), "I509", ("N170",)), Weights())

    assert not no_sex.grouped and "give sex M or F" in no_sex.reason
    assert either.drg == "291"  # the same for both: grouped without sex


def test_a_date_before_the_shipped_versions_is_said():
    result = group_discharge(Discharge(date(2017, 5, 4), "I509", sex="M"), Weights())

    assert not result.grouped and "covers 2017-05-04" in result.reason


def test_a_date_after_the_latest_versions_fiscal_year_is_not_grouped_with_it():
    # v43.1 is FY2026; an October 2026 discharge is FY2027 (v44), which drgpy 0.2.1 lacks,
    # though drgpy itself would group it with v43.1.
    last = group_discharge(Discharge(date(2026, 9, 30), "I509", sex="M"), Weights())
    after = group_discharge(Discharge(date(2026, 10, 1), "I509", sex="M"), Weights())

    assert (last.grouped, last.version) == (True, "v43.1")
    assert not after.grouped
    assert "covers 2026-10-01" in after.reason and "v43.1 (through 2026-09-30)" in after.reason


def test_a_drg_missing_from_table_5_is_grouped_without_a_weight():
    result = grouped(by_case("pneumonia_alone"))

    assert (result.grouped, result.drg, result.weight) == (True, "195", None)
    assert "no weight in the loaded IPPS Table 5" in result.reason


def test_a_case_meeting_a_known_drgpy_difference_says_so():
    hips = grouped(by_case("bilateral_hips"))  # right + left hip: CMS 462, drgpy 470
    knees = grouped(by_case("bilateral_knees"))  # drgpy right: 462
    one_hip = grouped(by_case("total_hip_oa"))  # one right hip: 470, no pair

    assert hips.drg == "470" and "should group to 461-462" in hips.warnings[0]
    assert "0SR9019" in hips.warnings[0]
    assert knees.warnings == () and one_hip.warnings == ()


def test_a_cc_on_table_6j_that_drgpy_lacks_is_shown_and_warned():
    result = grouped(by_case("hf_homelessness"))  # I50.9 with Z59.00: CMS 292, drgpy 293

    assert result.drg == "293"
    [severity] = result.severity
    assert (severity.code, severity.level, severity.counted) == ("Z5900", "CC", False)
    assert severity.reason == (
        "not counted: the loaded IPPS Table 6J lists it as a CC, but drgpy's MS-DRG v43.1 "
        "tables do not"
    )
    assert "Z59.00 is a CC on IPPS Table 6J but drgpy does not count it" in result.warnings[0]


def test_unknown_codes_change_nothing_and_are_not_kept_by_drgpy():
    from medcode.rules.drg import _engine

    engine = _engine("v43.1")
    plain = group_discharge(Discharge(date(2026, 5, 4), "I509", ("N170",), sex="M"), Weights())
    noisy = group_discharge(
        Discharge(date(2026, 5, 4), "I509", ("N170", "ZZZ99"), ("ZZZZZZZ",), sex="M"), Weights()
    )

    assert plain.drg == noisy.drg == "291"
    assert "ZZZ99" not in engine.dxmap and "ZZZZZZZ" not in engine.prmap

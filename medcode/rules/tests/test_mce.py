"""Medicare Code Editor edits of a discharge: each edit of the manual as a table row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from medcode.rules.mce import Discharge, MceEntry, check_mce

LISTS = {
    "P0700": [MceEntry("4A", "age_perinatal", "Age conflict: perinatal/newborn diagnosis", 0, 0)],
    "O24419": [MceEntry("4C", "age_maternity", "Age conflict: maternity diagnosis", 9, 64)],
    "F0390": [MceEntry("4D", "age_adult", "Age conflict: adult diagnosis", 15, 124)],
    "D630": [MceEntry("6", "manifestation_pdx", "Manifestation code as principal diagnosis")],
    "R030": [MceEntry("8A", "questionable_admission", "Questionable admission")],
    "Z5189": [
        MceEntry("9", "unacceptable_pdx", "Unacceptable principal diagnosis", None, None, True)
    ],
    "Z0000": [MceEntry("9", "unacceptable_pdx", "Unacceptable principal diagnosis")],
    "Z370": [MceEntry("8B", "outcome_of_delivery", "Outcome of delivery diagnosis")],
    "10D00Z1": [MceEntry("8B", "questionable_obstetric_cesarean", "Cesarean section procedure")],
    "00F3XZZ": [MceEntry("11A", "noncovered", "Non-covered procedure")],
    "0FYG0Z0": [MceEntry("11B", "noncovered_pancreas_transplant", "Pancreas transplant")],
    "E1010": [MceEntry("11B", "noncovered_pancreas_diagnoses", "Allows a pancreas transplant")],
    "30233G0": [MceEntry("11D", "noncovered_with_diagnoses", "Non-covered with a listed dx")],
    "C9000": [MceEntry("11D", "noncovered_with_diagnoses_dx", "Makes them non-covered")],
    "0SR20JZ": [MceEntry("11F", "noncovered_over_60", "Non-covered over age 60")],
    "0U570ZZ": [MceEntry("11G", "noncovered_without_sterilization", "Sterilization")],
    "02YA0Z0": [MceEntry("17A", "limited_coverage", "Limited coverage procedure")],
    "Y658": [MceEntry("18", "wrong_procedure", "Wrong procedure performed")],
    "G8190": [MceEntry("20", "unspecified_laterality", "Unspecified code")],
}


class Tables:
    def __init__(self, invalid: Sequence[str] = ()) -> None:
        self.invalid = set(invalid)

    def mce_entries(self, code: str) -> Sequence[MceEntry]:
        return LISTS.get(code, ())

    def is_valid_diagnosis(self, code: str) -> bool | None:
        return code not in self.invalid

    def is_valid_procedure(self, code: str) -> bool | None:
        return code not in self.invalid

    def source(self) -> str:
        return "MCE v43.1"


def edits(
    principal: str,
    *secondary: str,
    procedures: tuple[str, ...] = (),
    age: int | None = 50,
    invalid: Sequence[str] = (),
) -> list[str]:
    discharge = Discharge(date(2026, 5, 4), principal, secondary, procedures, age)
    return [f.edit for f in check_mce(discharge, Tables(invalid))]


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        pytest.param(edits("I214"), [], id="clean"),
        pytest.param(edits("I214", invalid=["I214"]), ["1"], id="invalid-diagnosis"),
        pytest.param(edits("W010XXA"), ["2"], id="external-cause-principal"),
        pytest.param(edits("I214", "I214"), ["3"], id="duplicate-of-principal"),
        pytest.param(edits("I214", "P0700", age=3), ["4A"], id="perinatal-at-3"),
        pytest.param(edits("I214", "P0700", age=0), [], id="perinatal-at-0"),
        pytest.param(edits("I214", "O24419", age=78), ["4C"], id="maternity-at-78"),
        pytest.param(edits("I214", "F0390", age=14), ["4D"], id="adult-at-14"),
        pytest.param(edits("I214", "F0390", age=None), [], id="no-age-no-age-edit"),
        pytest.param(edits("D630"), ["6"], id="manifestation-principal"),
        pytest.param(edits("I214", "D630"), [], id="manifestation-secondary"),
        pytest.param(edits("R030"), ["8A"], id="questionable-admission"),
        pytest.param(edits("Z0000"), ["9"], id="unacceptable-principal"),
        pytest.param(edits("Z5189"), ["9"], id="z5189-alone"),
        pytest.param(edits("Z5189", "I10"), [], id="z5189-with-a-secondary"),
        pytest.param(edits("O34211", procedures=("10D00Z1",)), ["8B"], id="cesarean-no-outcome"),
        pytest.param(edits("O34211", "Z370", procedures=("10D00Z1",)), [], id="with-outcome"),
        pytest.param(edits("I214", procedures=("00F3XZZ",)), ["11A"], id="non-covered"),
        pytest.param(edits("E1165", procedures=("0FYG0Z0",)), ["11B"], id="pancreas-alone"),
        pytest.param(edits("E1010", procedures=("0FYG0Z0",)), [], id="pancreas-listed-dx"),
        pytest.param(
            edits("E1165", procedures=("0FYG0Z0", "0TY00Z0")), [], id="pancreas-with-kidney"
        ),
        pytest.param(edits("C9000", procedures=("30233G0",)), ["11D"], id="with-listed-dx"),
        pytest.param(edits("D469", procedures=("30233G0",)), [], id="without-listed-dx"),
        pytest.param(edits("M5126", procedures=("0SR20JZ",), age=61), ["11F"], id="over-60"),
        pytest.param(edits("M5126", procedures=("0SR20JZ",), age=60), [], id="at-60"),
        pytest.param(edits("Z302", procedures=("0U570ZZ",)), ["11G"], id="sterilization"),
        pytest.param(edits("N832", procedures=("0U570ZZ",)), [], id="not-for-sterilization"),
        pytest.param(edits("I5084", procedures=("02YA0Z0",)), ["17A"], id="limited-coverage"),
        pytest.param(edits("T8190XA", "Y658"), ["18"], id="wrong-procedure"),
        pytest.param(edits("I214", "G8190"), ["20"], id="unspecified-laterality"),
    ],
)
def test_each_mce_edit_fires_as_the_manual_describes(found, expected):
    assert found == expected


def test_an_age_conflict_names_the_range_and_the_age():
    discharge = Discharge(date(2026, 5, 4), "I214", ("O24419",), (), 78)

    [finding] = check_mce(discharge, Tables())

    assert finding.message == (
        "O24.419: Age conflict: maternity diagnosis (ages 9 to 64); the patient is 78."
    )
    assert finding.source == "MCE v43.1"

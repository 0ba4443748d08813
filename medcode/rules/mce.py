"""Medicare Code Editor (MCE) edits of an inpatient discharge, from the MCE list data.

Each edit is the one the "Definitions of Medicare Code Edits" manual (v43.1, loaded as MCE
lists) describes; the number is the manual's:

- 1 invalid code: not a valid ICD-10-CM / ICD-10-PCS code on the discharge date;
- 2 an external cause code (V, W, X, Y) as principal diagnosis; 3 a secondary diagnosis that
  duplicates the principal;
- 4A-4D a diagnosis outside its list's age range (perinatal 0, pediatric 0-17, maternity
  9-64, adult 15-124);
- 6 a manifestation code, 8A a questionable admission code, 9 an unacceptable principal
  diagnosis as the principal diagnosis;
- 8B a cesarean or vaginal delivery procedure without a secondary outcome-of-delivery code;
- 11A a non-covered procedure; 11B a pancreas transplant without a kidney transplant and
  without a listed diagnosis; 11D a procedure non-covered with a listed diagnosis; 11F a
  procedure non-covered over age 60; 11G a procedure non-covered with Z30.2 (encounter for
  sterilization) as a diagnosis;
- 17A a limited coverage procedure; 18 a diagnosis saying the wrong procedure was performed;
- 20 an unspecified-laterality diagnosis with a more specific code in its family.

Sex conflict (5) is deactivated in this version (the manual says so); 19 (procedure
inconsistent with length of stay) needs the length of stay, which is not asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from medcode.rules.claim import format_diagnosis

# Kidney transplant codes that make a pancreas transplant covered (manual, edit 11B).
KIDNEY_TRANSPLANTS = frozenset({"0TY00Z0", "0TY00Z1", "0TY00Z2", "0TY10Z0", "0TY10Z1", "0TY10Z2"})
STERILIZATION = "Z302"  # Encounter for sterilization (manual, edit 11G)
EXTERNAL_CAUSE_LETTERS = ("V", "W", "X", "Y")


@dataclass(frozen=True, slots=True)
class MceEntry:
    """A code on one MCE list."""

    edit: str  # "4C"
    list_key: str  # "age_maternity"
    title: str  # the list's title in the manual
    age_low: int | None = None
    age_high: int | None = None
    requires_secondary_dx: bool = False  # 9: acceptable with a secondary diagnosis (Z51.89)


@dataclass(frozen=True, slots=True)
class Discharge:
    discharge_date: date
    principal: str  # ICD-10-CM, no dot
    secondary: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()  # ICD-10-PCS
    age: int | None = None
    sex: str | None = None  # "M" or "F": the MS-DRG grouping reads it (rules/drg.py)
    discharge_status: str = "01"  # UB-04 patient discharge status (01 home, 20 expired, ...)

    @property
    def diagnoses(self) -> tuple[str, ...]:
        return (self.principal, *self.secondary)


@dataclass(frozen=True, slots=True)
class MceFinding:
    edit: str
    codes: tuple[str, ...]
    message: str
    source: str


class MceTables(Protocol):
    def mce_entries(self, code: str) -> Sequence[MceEntry]:
        """The MCE lists naming a code (no dot)."""
        ...

    def is_valid_diagnosis(self, code: str) -> bool | None:
        """Whether the code is a valid (billable) ICD-10-CM code; None: no release to check."""
        ...

    def is_valid_procedure(self, code: str) -> bool | None: ...

    def source(self) -> str: ...


INVALID = "{code} is not a valid {system} code on {on}."
EXTERNAL_CAUSE = (
    "{code} is an external cause code as principal diagnosis: it describes the circumstance "
    "of an injury, not its nature."
)
DUPLICATE = "{code} is listed as a secondary diagnosis and as the principal diagnosis."
AGE_CONFLICT = "{code}: {title} (ages {low} to {high}); the patient is {age}."
PRINCIPAL_ONLY = "{code} is the principal diagnosis: {title}."
PRINCIPAL_NEEDS_SECONDARY = (
    "{code} is the principal diagnosis without a secondary diagnosis: {title} (acceptable "
    "only with a secondary diagnosis)."
)
OBSTETRIC = (
    "{code}: {title}; no secondary diagnosis gives the outcome of delivery, so the admission "
    "is questionable."
)
PROCEDURE_LISTED = "{code}: {title}."
PANCREAS = (
    "{code} is a pancreas transplant without a kidney transplant and without a diagnosis from "
    "the MCE list that makes it covered: a non-covered procedure (edit 11B)."
)
WITH_DIAGNOSES = "{code}: {title}, and {diagnoses} is on the record."
OVER_60 = "{code}: {title}; the patient is {age}."
# The manual (11G): "non-covered procedures only when ICD-10-CM diagnosis code Z302 ... is
# listed as the principal diagnosis or secondary diagnosis" (the list's stored title reads
# "unless", so it is not quoted here).
WITH_STERILIZATION = (
    "{code}: non-covered procedure (11G) when Z30.2 (encounter for sterilization) is a "
    "diagnosis, as it is here."
)
DIAGNOSIS_LISTED = "{code}: {title}."


def check_mce(discharge: Discharge, tables: MceTables) -> list[MceFinding]:
    """Every MCE edit the discharge's codes and age trigger, in the manual's order."""
    found: list[MceFinding] = []
    source = tables.source()
    on = discharge.discharge_date.isoformat()

    def add(edit: str, codes: tuple[str, ...], text: str) -> None:
        found.append(MceFinding(edit, codes, text, source))

    entries = {c: tables.mce_entries(c) for c in (*discharge.diagnoses, *discharge.procedures)}

    def listed(code: str, key: str) -> MceEntry | None:
        return next((e for e in entries.get(code, ()) if e.list_key == key), None)

    for code in dict.fromkeys(discharge.diagnoses):
        if tables.is_valid_diagnosis(code) is False:
            add(
                "1", (code,), INVALID.format(code=format_diagnosis(code), system="ICD-10-CM", on=on)
            )
    for code in dict.fromkeys(discharge.procedures):
        if tables.is_valid_procedure(code) is False:
            add("1", (code,), INVALID.format(code=code, system="ICD-10-PCS", on=on))
    principal = discharge.principal
    shown = format_diagnosis(principal)
    if principal.startswith(EXTERNAL_CAUSE_LETTERS):
        add("2", (principal,), EXTERNAL_CAUSE.format(code=shown))
    if principal in discharge.secondary:
        add("3", (principal,), DUPLICATE.format(code=shown))
    if discharge.age is not None:
        for code in dict.fromkeys(discharge.diagnoses):
            for entry in entries[code]:
                if entry.list_key.startswith("age_") and not _in_range(discharge.age, entry):
                    text = AGE_CONFLICT.format(
                        code=format_diagnosis(code),
                        title=entry.title,
                        low=entry.age_low,
                        high=entry.age_high,
                        age=discharge.age,
                    )
                    add(entry.edit, (code,), text)
    for key in ("manifestation_pdx", "questionable_admission", "unacceptable_pdx"):
        on_list = listed(principal, key)
        if on_list is None:
            continue
        text = PRINCIPAL_ONLY
        if on_list.requires_secondary_dx:
            if discharge.secondary:
                continue
            text = PRINCIPAL_NEEDS_SECONDARY
        add(on_list.edit, (principal,), text.format(code=shown, title=on_list.title))
    outcome = any(listed(d, "outcome_of_delivery") for d in discharge.secondary)
    diagnoses = set(discharge.diagnoses)
    procedures = set(discharge.procedures)
    for code in dict.fromkeys(discharge.procedures):
        for entry in entries[code]:
            words = {"code": code, "title": entry.title}
            key = entry.list_key
            if key.startswith("questionable_obstetric") and not outcome:
                add(entry.edit, (code,), OBSTETRIC.format(**words))
            elif key in ("noncovered", "limited_coverage"):
                add(entry.edit, (code,), PROCEDURE_LISTED.format(**words))
            elif key == "noncovered_pancreas_transplant":
                excused = procedures & KIDNEY_TRANSPLANTS or any(
                    listed(d, "noncovered_pancreas_diagnoses") for d in diagnoses
                )
                if not excused:
                    add(entry.edit, (code,), PANCREAS.format(**words))
            elif key == "noncovered_with_diagnoses":
                with_dx = [d for d in diagnoses if listed(d, "noncovered_with_diagnoses_dx")]
                if with_dx:
                    named = ", ".join(format_diagnosis(d) for d in sorted(with_dx))
                    add(
                        entry.edit,
                        (code, *sorted(with_dx)),
                        WITH_DIAGNOSES.format(diagnoses=named, **words),
                    )
            elif key == "noncovered_over_60":
                if discharge.age is not None and discharge.age > 60:
                    add(entry.edit, (code,), OVER_60.format(age=discharge.age, **words))
            elif key == "noncovered_without_sterilization" and STERILIZATION in diagnoses:
                add(entry.edit, (code, STERILIZATION), WITH_STERILIZATION.format(**words))
    for code in dict.fromkeys(discharge.diagnoses):
        for key in ("wrong_procedure", "unspecified_laterality"):
            on_list = listed(code, key)
            if on_list is not None:
                text = DIAGNOSIS_LISTED.format(code=format_diagnosis(code), title=on_list.title)
                add(on_list.edit, (code,), text)
    found.sort(key=lambda f: _edit_order(f.edit))
    return found


def _in_range(age: int, entry: MceEntry) -> bool:
    low = entry.age_low if entry.age_low is not None else 0
    high = entry.age_high if entry.age_high is not None else 124
    return low <= age <= high


def _edit_order(edit: str) -> tuple[int, str]:
    digits = "".join(c for c in edit if c.isdigit())
    return int(digits or 0), edit

"""The inpatient check: Medicare Code Editor edits of a discharge, from the loaded MCE lists,
and its MS-DRG (rules/drg.py: drgpy's copy of the Definitions Manual tables for the discharge
date's version), with the weight, title and MDC of the loaded IPPS Table 5.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from medcode.claims.schemas import DATE_FORMAT, DATE_NOT_REAL, DATE_RE, DIAGNOSIS_RE
from medcode.codes.catalog import release_catalog
from medcode.codes.mce import mce_lists, mce_release
from medcode.codes.models import (
    Code,
    CodeSystem,
    MceListing,
    ReferenceRow,
    SeverityDesignation,
)
from medcode.lib.codeshapes import ICD10PCS_CODE
from medcode.lib.in_force import covers
from medcode.rules.claim import normalise_diagnosis
from medcode.rules.drg import DrgWeight, Grouping, group_discharge
from medcode.rules.mce import Discharge, MceEntry, MceFinding, check_mce

MAX_SECONDARY = 24  # the 837I holds the principal and 24 other diagnoses (the paper UB-04, 17)
MAX_PROCEDURES = 25  # the 837I: the principal procedure and 24 others (the paper UB-04, 6)
PCS_RE = ICD10PCS_CODE
# Code lists that hold every valid code of their system (others are partial, e.g. one section).
FULL_CM_DATASETS = ("icd10cm_codes", "icd10cm_order")
FULL_PCS_DATASETS = ("icd10pcs_order",)

NO_WEIGHTS = "no MS-DRG weights (IPPS Table 5) loaded for {on}"
DISCHARGE_STATUS_RE = re.compile(r"^\d{2}$")
NO_MCE = "no MCE edit lists loaded"
NOT_CHECKED = "no {system} release covering {on} is loaded, so codes are not checked for validity"
DIAGNOSIS_INVALID = "{field} must be an ICD-10-CM code such as E11.9, not {value!r}"
PROCEDURE_INVALID = "procedure {position} must be a 7-character ICD-10-PCS code, not {value!r}"
TOO_MANY = "{field} holds at most {limit}; this one has {count}"


class InpatientCheckIn(BaseModel):
    """A discharge to check with the Medicare Code Editor."""

    model_config = ConfigDict(extra="forbid")

    discharge_date: dt.date = Field(description="YYYY-MM-DD", examples=["2026-05-04"])
    age: int | None = Field(
        default=None, ge=0, le=124, description="age in years at admission (for the age edits)"
    )
    principal_diagnosis: str = Field(description="ICD-10-CM, dotted or not", examples=["I21.4"])
    secondary_diagnoses: list[str] = Field(default_factory=list, description="up to 24")
    procedures: list[str] = Field(default_factory=list, description="ICD-10-PCS, up to 25")
    sex: Literal["M", "F"] | None = Field(
        default=None,
        description=(
            "M or F, for the MS-DRG (male and female MDCs); without it the discharge is grouped "
            "only when both give the same MS-DRG"
        ),
    )
    discharge_status: str = Field(
        default="01",
        description="UB-04 patient discharge status, two digits (01 home, 20 expired, ...)",
        examples=["01", "20"],
    )

    @field_validator("discharge_status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        text = value.strip() if isinstance(value, str) else ""
        if not DISCHARGE_STATUS_RE.match(text):
            raise ValueError(f"discharge_status must be two digits such as 01, not {value!r}")
        return text

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("discharge_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not DATE_RE.match(text):
            raise ValueError(
                DATE_FORMAT.replace("date_of_service", "discharge_date").format(value=value)
            )
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                DATE_NOT_REAL.replace("date_of_service", "discharge_date").format(value=value)
            ) from None

    @field_validator("principal_diagnosis", mode="before")
    @classmethod
    def _principal(cls, value: Any) -> str:
        return _diagnosis(value, "principal_diagnosis")

    @field_validator("secondary_diagnoses", mode="before")
    @classmethod
    def _secondary(cls, value: Any) -> list[str]:
        values = list(value) if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_SECONDARY:
            raise ValueError(
                TOO_MANY.format(field="secondary_diagnoses", limit=MAX_SECONDARY, count=len(values))
            )
        return [_diagnosis(v, f"secondary diagnosis {n}") for n, v in enumerate(values, 1)]

    @field_validator("procedures", mode="before")
    @classmethod
    def _procedures(cls, value: Any) -> list[str]:
        values = list(value) if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_PROCEDURES:
            raise ValueError(
                TOO_MANY.format(field="procedures", limit=MAX_PROCEDURES, count=len(values))
            )
        found = []
        for position, item in enumerate(values, 1):
            text = str(item).strip().upper().replace(".", "") if isinstance(item, str) else ""
            if not PCS_RE.match(text):
                raise ValueError(PROCEDURE_INVALID.format(position=position, value=item))
            found.append(text)
        return found


def _diagnosis(value: Any, name: str) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if not DIAGNOSIS_RE.match(text):
        raise ValueError(DIAGNOSIS_INVALID.format(field=name, value=value))
    return normalise_diagnosis(text)


class InpatientInputError(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__(f"the discharge is not valid: {len(errors)} error(s)")

    def as_dict(self) -> dict[str, Any]:
        return {"detail": str(self), "errors": self.errors}


def parse_discharge(data: object) -> Discharge:
    if not isinstance(data, dict):
        raise InpatientInputError(
            [{"field": "body", "message": "a discharge must be a JSON object"}]
        )
    try:
        checked = InpatientCheckIn.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"]) or "body",
                "message": str(e["msg"]).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        raise InpatientInputError(errors) from None
    return Discharge(
        discharge_date=checked.discharge_date,
        principal=checked.principal_diagnosis,
        secondary=tuple(checked.secondary_diagnoses),
        procedures=tuple(checked.procedures),
        age=checked.age,
        sex=checked.sex,
        discharge_status=checked.discharge_status,
    )


@dataclass
class DatabaseMceTables:
    """MceTables over the releases in force on the discharge date, read in a few queries."""

    discharge: Discharge
    sources: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    _entries: dict[str, list[MceEntry]] = field(default_factory=dict)
    _valid: dict[str, set[str] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        on = self.discharge.discharge_date
        catalog = release_catalog()
        release = mce_release(on, catalog)
        self.sources["mce"] = catalog.sources[release.pk].citation if release else NO_MCE
        codes = [*self.discharge.diagnoses, *self.discharge.procedures]
        if release is not None:
            lists = mce_lists(release)
            rows = MceListing.objects.filter(release_id=release.pk, code__in=codes)
            for code, key, attributes in rows.values_list("code", "list_key", "attributes"):
                listed = lists.get(key)
                if listed is None:
                    continue
                self._entries.setdefault(code, []).append(
                    MceEntry(
                        listed.edit,
                        key,
                        listed.title,
                        listed.age_low,
                        listed.age_high,
                        bool((attributes or {}).get("requires_secondary_dx")),
                    )
                )
        for system, datasets, wanted, billable in (
            (CodeSystem.ICD10CM, FULL_CM_DATASETS, self.discharge.diagnoses, True),
            (CodeSystem.ICD10PCS, FULL_PCS_DATASETS, self.discharge.procedures, False),
        ):
            self._valid[system] = self._valid_codes(system, datasets, wanted, billable=billable)

    def _valid_codes(
        self, system: str, datasets: Sequence[str], wanted: Sequence[str], *, billable: bool
    ) -> set[str] | None:
        on = self.discharge.discharge_date
        covering = [
            r
            for r in release_catalog().with_table("codes", system)
            if r.dataset in datasets and covers(r, on)
        ]
        label = "ICD-10-CM" if system == CodeSystem.ICD10CM else "ICD-10-PCS"
        if not covering:
            if wanted:
                self.notices.append(NOT_CHECKED.format(system=label, on=on.isoformat()))
            return None
        release = max(covering, key=lambda r: (r.effective_from, r.pk))
        self.sources[label] = release_catalog().sources[release.pk].citation
        rows = Code.objects.filter(release_id=release.pk, system=system, code__in=list(wanted))
        if billable:
            rows = rows.filter(is_billable=True)
        return set(rows.values_list("code", flat=True))

    def mce_entries(self, code: str) -> Sequence[MceEntry]:
        return self._entries.get(code, ())

    def is_valid_diagnosis(self, code: str) -> bool | None:
        valid = self._valid.get(CodeSystem.ICD10CM)
        return None if valid is None else code in valid

    def is_valid_procedure(self, code: str) -> bool | None:
        valid = self._valid.get(CodeSystem.ICD10PCS)
        return None if valid is None else code in valid

    def source(self) -> str:
        return self.sources["mce"]


class DatabaseDrgWeights:
    """DrgWeights over the IPPS Table 5 and Tables 6I/6J releases in force on the discharge
    date (a query for the DRG, one for the secondary diagnoses' CC/MCC)."""

    def __init__(self, on: dt.date, codes: Sequence[str] = ()) -> None:
        catalog = release_catalog()
        lists = [r for r in catalog.in_force("severities", on) if covers(r, on)]
        self._severities: dict[str, str] = {}
        if lists and codes:
            rows = SeverityDesignation.objects.filter(release_id=lists[-1].pk, code__in=codes)
            self._severities = dict(rows.values_list("code", "severity"))
        covering = [r for r in catalog.in_force("drg_weights", on) if covers(r, on)]
        self._release = covering[-1] if covering else None
        self._source = (
            catalog.sources[self._release.pk].citation
            if self._release
            else NO_WEIGHTS.format(on=on.isoformat())
        )

    def weight(self, drg: str) -> DrgWeight | None:
        if self._release is None:
            return None
        row = ReferenceRow.objects.filter(release_id=self._release.pk, key=drg).first()
        if row is None:
            return None
        data = row.data
        return DrgWeight(
            drg,
            str(data.get("title", "")),
            str(data.get("mdc", "")),
            str(data.get("type", "")),
            data.get("weight_10pct_cap"),
            data.get("geometric_mean_los"),
            data.get("arithmetic_mean_los"),
        )

    def source(self) -> str:
        return self._source

    def listed_severity(self, code: str) -> str | None:
        return self._severities.get(code)


def check_discharge(data: object) -> dict[str, Any]:
    """Validate, check (MCE) and group (MS-DRG) one discharge; raises InpatientInputError."""
    discharge = parse_discharge(data)
    tables = DatabaseMceTables(discharge)
    edits = check_mce(discharge, tables)
    weights = DatabaseDrgWeights(discharge.discharge_date, discharge.secondary)
    grouping = group_discharge(discharge, weights)
    return {
        "discharge_date": discharge.discharge_date.isoformat(),
        "edits": [finding_dict(f) for f in edits],
        "count": len(edits),
        "sources": tables.sources,
        "notices": tables.notices,
        "ms_drg": grouping_dict(grouping),
    }


def grouping_dict(grouping: Grouping) -> dict[str, Any]:
    return {
        "grouped": grouping.grouped,
        "grouper": grouping.grouper,
        "version": grouping.version,
        "drg": grouping.drg,
        "title": grouping.title,
        "mdc": grouping.mdc,
        "type": grouping.kind,
        "weight": grouping.weight,
        "geometric_mean_los": grouping.geometric_mean_los,
        "arithmetic_mean_los": grouping.arithmetic_mean_los,
        "weight_source": grouping.weight_source,
        "severity": [
            {"code": s.code, "level": s.level, "counted": s.counted, "reason": s.reason}
            for s in grouping.severity
        ],
        "drove": list(grouping.drove),
        "other_matches": list(grouping.candidates),
        "warnings": list(grouping.warnings),
        "reason": grouping.reason,
    }


def finding_dict(finding: MceFinding) -> dict[str, Any]:
    return {
        "edit": finding.edit,
        "codes": list(finding.codes),
        "message": finding.message,
        "source": finding.source,
    }

"""What a claim check takes and returns: the one validation of claim input.

The API, the batch endpoint, the CLI and the worksheet all validate through ClaimCheckIn,
so a claim is read the same way wherever it comes from. The models are plain pydantic models
(ninja's Schema adds an ORM-reading validator that costs more than the claim check itself).
Every message is a constant here; services.ClaimInputError turns pydantic's error locations
into "line N, field F".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from medcode.lib.codeshapes import ICD10CM_CODE
from medcode.rules.dmepos import US_STATES

MAX_LINES = 999  # the X12 837 limit for one claim (837I; 837P allows 50)
MAX_MODIFIERS = 4
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_UNITS = 9999

CODE_RE = re.compile(r"^[A-Z0-9]{5}$")
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
DIAGNOSIS_RE = ICD10CM_CODE
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLACE_RE = re.compile(r"^\d{2}$")
LOCALITY_RE = re.compile(r"^[A-Za-z0-9 ,.'/*-]*$")
MAX_LOCALITY = 64

CODE_INVALID = "code must be a 5-character CPT or HCPCS code such as 11042 or G0283, not {value!r}"
MODIFIER_INVALID = "modifier {position} must be 2 letters or digits such as 59 or XS, not {value!r}"
TOO_MANY_MODIFIERS = "a line takes at most 4 modifiers; this one has {count}"
UNITS_NOT_WHOLE = "units must be a whole number, not {value!r}"
UNITS_OUT_OF_RANGE = "units must be between 0 and 9999, not {value}"
DATE_FORMAT = "date_of_service must be a date written YYYY-MM-DD, such as 2024-07-15, not {value!r}"
DATE_NOT_REAL = "date_of_service {value!r} is not a real date"
PLACE_INVALID = (
    "place_of_service must be a 2-digit CMS place of service code such as 11, not {value!r}"
)
POINTER_INVALID = "diagnosis pointer {position} must be a number from 1 to 12, not {value!r}"
TOO_MANY_POINTERS = "a line points to at most 4 diagnoses; this one has {count}"
DIAGNOSIS_INVALID = "diagnosis {position} must be an ICD-10-CM code such as E11.9, not {value!r}"
TOO_MANY_DIAGNOSES = "a claim lists at most 12 diagnoses; this one has {count}"
TOO_MANY_LINES = "a claim holds at most 999 lines (the X12 837 limit); this one has {count}"
NO_LINES = "a claim needs at least one line"
NUMBER_INVALID = "number must be a whole number from 1 to 9999, not {value!r}"
NUMBER_REPEATED = "line number {number} is used by more than one line"
LOCALITY_INVALID = (
    "locality must be a MAC and locality number such as 13202-01, a locality name or "
    "'County, ST' (letters, digits, spaces and , . - ' / only, at most 64), not {value!r}"
)
STATE_INVALID = (
    "state must be a two-letter US state abbreviation such as TX (for DMEPOS fees), not {value!r}"
)
NOT_A_LIST = "{field} must be a list"
NOT_TEXT = "{field} must be text, not {value!r}"


def _error(kind: str, message: str, **words: Any) -> PydanticCustomError:
    # The words go in the context too, so services can read them (e.g. a repeated number).
    text = message.format(**words).replace("{", "(").replace("}", ")")
    return PydanticCustomError(kind, text, words)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _error("not_text", NOT_TEXT, field=field, value=value)
    return value.strip()


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _error("not_a_list", NOT_A_LIST, field=field)
    return list(value)


def _whole(value: Any) -> int | None:
    """An int from JSON (3) or CSV text ("3"); None for anything else (3.5, true, "x")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


class ClaimLineIn(BaseModel):
    """One service line: a CPT/HCPCS code, its modifiers, units, date and diagnosis pointers."""

    model_config = ConfigDict(extra="forbid")

    number: int | None = Field(
        default=None, description="line number; defaults to the line's position (1, 2, ...)"
    )
    code: str = Field(description="CPT or HCPCS code, e.g. 11042", examples=["11042"])
    modifiers: list[str] = Field(default_factory=list, description="up to 4, e.g. ['59']")
    units: int = Field(default=1, description="0 to 9999 (0 is reported as a finding)")
    date_of_service: dt.date = Field(description="YYYY-MM-DD", examples=["2024-07-15"])
    place_of_service: str | None = Field(default=None, description="2-digit CMS POS code")
    diagnosis_pointers: list[int] = Field(
        default_factory=list, description="up to 4 positions (1-12) in the claim's diagnoses"
    )

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> int | None:
        if value is None:
            return None
        number = _whole(value)
        if number is None or not 1 <= number <= MAX_UNITS:
            raise _error("number_invalid", NUMBER_INVALID, value=value)
        return number

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        code = _text(value, "code").upper()
        if not CODE_RE.match(code):
            raise _error("code_invalid", CODE_INVALID, value=value)
        return code

    @field_validator("modifiers", mode="before")
    @classmethod
    def _modifiers(cls, value: Any) -> list[str]:
        if isinstance(value, str):  # "59 XS" from a CSV cell or a form
            value = [m for m in re.split(r"[\s,;:]+", value) if m]
        modifiers = _list(value, "modifiers")
        if len(modifiers) > MAX_MODIFIERS:
            raise _error("too_many_modifiers", TOO_MANY_MODIFIERS, count=len(modifiers))
        found = []
        for position, modifier in enumerate(modifiers, 1):
            text = _text(modifier, f"modifier {position}").upper()
            if not MODIFIER_RE.match(text):
                raise _error(
                    "modifier_invalid", MODIFIER_INVALID, position=position, value=modifier
                )
            found.append(text)
        return found

    @field_validator("units", mode="before")
    @classmethod
    def _units(cls, value: Any) -> int:
        units = _whole(value)
        if units is None:
            raise _error("units_not_whole", UNITS_NOT_WHOLE, value=value)
        if not 0 <= units <= MAX_UNITS:
            raise _error("units_out_of_range", UNITS_OUT_OF_RANGE, value=units)
        return units

    @field_validator("date_of_service", mode="before")
    @classmethod
    def _date(cls, value: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if not isinstance(value, str) or not DATE_RE.match(value.strip()):
            raise _error("date_format", DATE_FORMAT, value=value)
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _error("date_not_real", DATE_NOT_REAL, value=value) from None

    @field_validator("place_of_service", mode="before")
    @classmethod
    def _place(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:02d}"
        place = _text(value, "place_of_service")
        if not PLACE_RE.match(place):
            raise _error("place_invalid", PLACE_INVALID, value=value)
        return place

    @field_validator("diagnosis_pointers", mode="before")
    @classmethod
    def _pointers(cls, value: Any) -> list[int]:
        if isinstance(value, str):  # "1 2" or "A B" from a CSV cell or a form
            value = [p for p in re.split(r"[\s,;:]+", value) if p]
        pointers = _list(value, "diagnosis_pointers")
        if len(pointers) > MAX_POINTERS:
            raise _error("too_many_pointers", TOO_MANY_POINTERS, count=len(pointers))
        found = []
        for position, pointer in enumerate(pointers, 1):
            number = _whole(pointer)
            if number is None and isinstance(pointer, str) and re.fullmatch(r"[A-La-l]", pointer):
                number = ord(pointer.upper()) - ord("A") + 1  # CMS-1500 pointers A-L
            if number is None or not 1 <= number <= MAX_DIAGNOSES:
                raise _error("pointer_invalid", POINTER_INVALID, position=position, value=pointer)
            found.append(number)
        return found


class ClaimCheckIn(BaseModel):
    """A claim to check: its lines and the diagnoses they point to."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str | None = Field(default=None, max_length=64, description="your reference")
    setting: Literal["practitioner", "outpatient_hospital"] = Field(
        default="practitioner",
        description=(
            "which NCCI PTP and MUE tables apply, and how lines are paid: practitioner (PFS, "
            "with the PFS indicator and HCPCS coverage rules) or outpatient_hospital (OPPS "
            "status indicators; no PFS rules)"
        ),
    )
    diagnoses: list[str] = Field(
        default_factory=list, description="ICD-10-CM codes, up to 12, dotted or not"
    )
    locality: str | None = Field(
        default=None,
        max_length=64,
        description=(
            "the Medicare payment locality for the expected payment: MAC and locality number "
            "(13202-01), a locality name from the GPCI file (MANHATTAN), or 'County, ST' "
            "(Kings County, NY); national amounts without it"
        ),
        examples=["13202-01"],
    )
    state: str | None = Field(
        default=None,
        description=(
            "the two-letter state whose DMEPOS fee schedule amounts price the claim's DME lines; "
            "without it, the state of the locality (a priced locality, or 'County, ST')"
        ),
        examples=["TX"],
    )
    rural: bool = Field(
        default=False,
        description="price DME lines at the state's rural DMEPOS fees (non-rural without it)",
    )
    lines: list[ClaimLineIn] = Field(description="1 to 999 service lines")

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = _text(value, "state").upper()
        if not text:
            return None
        if text not in US_STATES:
            raise _error("state_invalid", STATE_INVALID, value=value)
        return text

    @field_validator("rural", mode="before")
    @classmethod
    def _rural(cls, value: Any) -> bool:
        if isinstance(value, str):  # a CSV cell or a form field
            text = value.strip().lower()
            if text in {"", "0", "false", "no", "n"}:
                return False
            if text in {"1", "true", "yes", "y", "on"}:
                return True
        if isinstance(value, bool):
            return value
        raise _error("rural_invalid", "rural must be true or false, not {value!r}", value=value)

    @field_validator("locality", mode="before")
    @classmethod
    def _locality(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = _text(value, "locality")
        if len(text) > MAX_LOCALITY or not LOCALITY_RE.match(text):
            raise _error("locality_invalid", LOCALITY_INVALID, value=value)
        return text or None

    @field_validator("diagnoses", mode="before")
    @classmethod
    def _diagnoses(cls, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [d for d in re.split(r"[\s,;]+", value) if d]
        diagnoses = _list(value, "diagnoses")
        if len(diagnoses) > MAX_DIAGNOSES:
            raise _error("too_many_diagnoses", TOO_MANY_DIAGNOSES, count=len(diagnoses))
        found = []
        for position, code in enumerate(diagnoses, 1):
            text = _text(code, f"diagnosis {position}").upper()
            if not DIAGNOSIS_RE.match(text):
                raise _error("diagnosis_invalid", DIAGNOSIS_INVALID, position=position, value=code)
            found.append(text)
        return found

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> list[Any]:
        lines = _list(value, "lines")
        if not lines:
            raise _error("no_lines", NO_LINES)
        if len(lines) > MAX_LINES:
            # Checked before the lines themselves, so 10,000 bad lines give one clear error.
            raise _error("too_many_lines", TOO_MANY_LINES, count=len(lines))
        return lines

    @model_validator(mode="after")
    def _numbers(self) -> ClaimCheckIn:
        seen: set[int] = set()
        for position, line in enumerate(self.lines, 1):
            if line.number is None:
                line.number = position
            if line.number in seen:
                raise _error("number_repeated", NUMBER_REPEATED, number=line.number)
            seen.add(line.number)
        return self


class FindingOut(BaseModel):
    """One problem on the claim: which lines, what rule, why, the fix, severity and source."""

    rule: str = Field(
        examples=["ptp"],
        description=(
            "the rule that found it: ptp, mue, addon (NCCI); pfs_status, global_surgery, "
            "bilateral, pctc, assistant, cosurgeon, team, pfs_not_used (PFS indicators); "
            "place_of_service (PFS NA indicator against the place of service); "
            "hcpcs_coverage (HCPCS coverage code I/M/S/D, pricing indicator 00); ncd (NCD "
            "coding spreadsheet: covered, denied, does not support medical necessity); "
            "lcd_article (the LCD billing-and-coding article crosswalk, partial and "
            "approximate: pointed diagnoses listed as non-covering, or none listed as "
            "covering); "
            "dx_invalid, dx_excludes1, dx_pointer, code_invalid, units_zero, "
            "modifier_invalid, duplicate_line"
        ),
    )
    severity: Literal["error", "warning", "info"]
    lines: list[int]
    message: str
    fix: str | None
    source: str = Field(examples=["NCCI PTP practitioner 2024Q3 (v30.2), effective 2024-07-01"])
    stale: str = Field(
        default="",
        description="set when the source's newest loaded release ends before the date of service",
        examples=[
            "NCCI PTP edits, practitioner for 2026-12-05 are not loaded; the newest loaded are "
            "2024Q3 (v30.2), effective 2024-07-01 to 2024-09-30."
        ],
    )


class TruncatedOut(BaseModel):
    shown: int
    total: int
    detail: str


class ClaimCheckOut(BaseModel):
    claim_id: str | None
    findings: list[FindingOut]
    truncated: TruncatedOut | None = Field(
        default=None,
        description="set when only the most severe findings are listed (at most 500 a claim)",
    )
    counts: dict[str, int] = Field(description="findings by severity")
    sources: dict[str, str] = Field(description="the release each table was read from")
    notices: list[str] = Field(
        default_factory=list,
        description="tables checked whose newest loaded release ends before the date of service",
    )
    payment: PaymentOut | None = Field(
        default=None,
        description=(
            "expected Medicare payment per line and a claim total: under the PFS (locality or "
            "national) with the multiple procedure, bilateral, assistant, co-surgeon and team "
            "adjustments, DME lines at the state's DMEPOS fee, or, for an outpatient hospital "
            "claim, the national OPPS rate with the packaging of its status indicator (N, Q1-Q4, "
            "J1, J2) and the SI T multiple procedure reduction. No anesthesia payment: the "
            "anesthesia base units are not loaded"
        ),
    )


class AdjustmentOut(BaseModel):
    """A payment adjustment a PFS indicator calls for, citing the indicator and release."""

    rule: Literal[
        "bilateral", "multiple_procedure", "assistant", "cosurgeon", "team", "split_care", "reduced"
    ]
    indicator: str = Field(
        description=(
            "the PPRRVU column and its value, or the OPPS status indicator (SI T: the OPPS "
            "multiple procedure reduction)"
        ),
        examples=["MULT PROC 2", "BILAT SURG 1", "SI T"],
    )
    percent: str | None = Field(
        description=(
            "the share of the fee paid on this account (150, 100, 50, 0); null when the PFS "
            "layout medcode reads gives no percentage, so none is applied"
        ),
        examples=["50"],
    )
    message: str
    source: str


class LinePaymentOut(BaseModel):
    line: int
    code: str
    status: Literal["priced", "no_payment", "not_priced", "packaged"] = Field(
        description=(
            "priced: an expected amount; no_payment: Medicare pays nothing (amount 0.00); "
            "not_priced: no amount is computed (paid outside the PFS, contractor priced, NA, "
            "a share the layout does not give, an OPPS composite or comprehensive observation "
            "APC Addendum B does not price), see reason; packaged: an OPPS line whose payment "
            "is included in other lines' (amount 0.00, see packaged_into)"
        )
    )
    setting: Literal["facility", "non_facility"] = Field(
        description=(
            "the PFS setting of the line's place of service (non-facility without one); "
            "facility for an OPPS line"
        )
    )
    schedule: Literal["pfs", "opps", "dmepos"] = Field(
        default="pfs",
        description=(
            "the payment system that priced the line: the PFS, the OPPS (outpatient hospital "
            "claims, Addendum B) or the DMEPOS fee schedule (DME lines of a practitioner claim)"
        ),
    )
    status_indicator: str | None = Field(
        default=None, description="the line's OPPS status indicator (OPPS lines)", examples=["J1"]
    )
    packaged_into: list[int] = Field(
        default_factory=list,
        description=(
            "the lines an OPPS line is packaged into (a J1 line, the S/T/V lines of its date); "
            "empty for SI N, packaged into the claim's other services"
        ),
    )
    fee: str | None = Field(description="one unit's fee schedule amount, before adjustments")
    amount: str | None = Field(description="the expected allowed amount of the line, in dollars")
    reason: str
    formula: str
    adjustments: list[AdjustmentOut]
    source: str


class LocalityOut(BaseModel):
    mac: str
    locality: str
    name: str
    state: str
    work_gpci: str
    pe_gpci: str
    mp_gpci: str


class PaymentOut(BaseModel):
    """The expected Medicare allowed amounts (PFS, OPPS or DMEPOS): an estimate, not a
    remittance."""

    basis: Literal["national", "locality", "opps_national"] = Field(
        description=(
            "national or locality: PFS amounts (practitioner claims); opps_national: national "
            "unadjusted OPPS rates (outpatient hospital claims)"
        )
    )
    state: str | None = Field(
        default=None, description="the state whose DMEPOS fees priced DME lines", examples=["TX"]
    )
    rural: bool = Field(default=False, description="whether DME lines took the rural fees")
    requested_locality: str | None
    locality: LocalityOut | None
    total: str = Field(
        description="the sum of the lines' amounts, in dollars", examples=["1886.45"]
    )
    is_complete: bool = Field(
        description="false when a line is not priced or a reduction could not be applied"
    )
    lines: list[LinePaymentOut]
    notices: list[str]
    sources: dict[str, str]


class InputErrorOut(BaseModel):
    line: int | None = Field(description="the claim line number, when the error is on a line")
    field: str
    message: str


class ClaimErrorOut(BaseModel):
    detail: str
    errors: list[InputErrorOut]

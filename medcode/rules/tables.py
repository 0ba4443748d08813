"""The edit data the rules read, as plain values, and the lookups over it.

`RuleTables` is the Protocol the rules depend on. `InMemoryTables` is the dict-backed
implementation for tests and for callers that preload a release; a database-backed one can
implement the same Protocol.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from medcode.rules.claim import normalise_code, normalise_diagnosis, normalise_modifier

TableKind = Literal[
    "ptp", "mue", "addon", "pfs", "codes", "modifiers", "diagnoses", "ncd", "lcd_articles"
]

# Who bills the claim: a practitioner (paid under the PFS and the HCPCS carrier pricing) or an
# outpatient hospital (its facility claim paid under the OPPS by status indicator).
ClaimSetting = Literal["practitioner", "outpatient_hospital"]

# AOC files use CCCCC as the primary code of a type 2 edit: the contractor defines primaries.
CONTRACTOR_DEFINED_PRIMARY = "CCCCC"


def is_active_on(day: date, effective: date | None, deleted: date | None) -> bool:
    """NCCI dating: effective <= day and (no deletion date or day <= deletion date)."""
    return (effective is None or effective <= day) and (deleted is None or day <= deleted)


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """One NCCI procedure-to-procedure edit: column_2 is not paid with column_1."""

    column_1: str
    column_2: str
    effective: date
    deleted: date | None
    modifier_indicator: str  # "0" no modifier allowed, "1" allowed, "9" not applicable
    rationale: str

    def is_active_on(self, day: date) -> bool:
        return is_active_on(day, self.effective, self.deleted)


@dataclass(frozen=True, slots=True)
class MueLimit:
    """One NCCI medically unlikely edit: the most units of code normally reported."""

    code: str
    value: int
    mai: int  # 1 line edit, 2 date-of-service policy edit, 3 date-of-service clinical edit
    rationale: str


@dataclass(frozen=True, slots=True)
class AddOnEdit:
    """One NCCI add-on code edit: addon is paid only with primary on the same date."""

    addon: str
    primary: str  # CONTRACTOR_DEFINED_PRIMARY for type 2
    edit_type: int  # 1 listed primaries only, 2 contractor-defined, 3 listed plus contractor's
    effective: date | None
    deleted: date | None

    def is_active_on(self, day: date) -> bool:
        return is_active_on(day, self.effective, self.deleted)


@dataclass(frozen=True, slots=True)
class Rvus:
    """The relative values and conversion factor of one PFS row, as the file printed them."""

    work: Decimal
    nonfac_pe: Decimal
    facility_pe: Decimal
    mp: Decimal
    conv_factor: Decimal | None


@dataclass(frozen=True, slots=True)
class FeeIndicators:
    """The payment-policy indicators of one PFS relative value file row."""

    code: str
    modifier: str  # "" for the global row; "26", "TC" or "53" for their own rows
    status_code: str
    global_days: str  # "000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"
    pctc_ind: int
    mult_proc_ind: int
    bilat_surg_ind: int
    asst_surg_ind: int
    co_surg_ind: int
    team_surg_ind: int
    # Payment facts beside the indicators: the "not used for Medicare payment" flag and the
    # NA indicators (no PE RVU, so no payment, in the non-facility or facility setting).
    not_used_for_medicare: bool = False
    nonfac_na: bool = False
    facility_na: bool = False
    rvus: Rvus | None = None  # for the expected payment (medcode.rules.payment)
    # PRE OP, INTRA OP, POST OP: the shares of the global surgical package (decimals summing
    # to 1 for a code with a global period; 0 where none) that modifiers 56, 54 and 55 are paid.
    care_shares: tuple[Decimal, Decimal, Decimal] | None = None


@dataclass(frozen=True, slots=True)
class HcpcsPayment:
    """How the HCPCS Level II file says Part B treats a code (HCPCS record layout).

    coverage is field 16 (C carrier judgment, D special coverage instructions, I not payable
    by Medicare, M non-covered by Medicare, S non-covered by Medicare statute); pricing holds
    the pricing indicator codes of field 9 ("00": not separately priced by Part B).
    """

    code: str
    coverage: str
    pricing: tuple[str, ...]
    source: str  # the HCPCS release it was read from


@dataclass(frozen=True, slots=True)
class DiagnosisInfo:
    """An ICD-10-CM code as the rules need it.

    excludes1 holds the Excludes1 notes that apply to the code, including those inherited
    from its category and subcategory, as note text ("type 1 diabetes mellitus (E10.-)")
    or bare patterns ("E10.-", "E08-E13").
    """

    code: str
    is_billable: bool
    excludes1: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    """The dates a code is valid; None means open-ended."""

    start: date | None = None
    end: date | None = None

    def covers(self, day: date) -> bool:
        return is_active_on(day, self.start, self.end)


@dataclass(frozen=True, slots=True)
class NcdEntry:
    """One row of the NCD coding spreadsheet naming a code (medcode.rules.coverage)."""

    ncd: str
    title: str
    system: str  # "ICD10CM" for diagnoses, else the CPT/HCPCS codes the NCD applies to
    code: str
    effective: date | None
    terminated: date | None
    resolution: int | None  # diagnoses: 1 covered, 2 denied, 3 not medically necessary

    def is_active_on(self, day: date) -> bool:
        return is_active_on(day, self.effective, self.terminated)


@dataclass(frozen=True, slots=True)
class ArticleListing:
    """A diagnosis an LCD billing-and-coding article lists for a procedure code.

    status is "covered" or "noncovered"; lcd_ids the LCDs whose articles name the pair.
    """

    procedure: str
    diagnosis: str  # no dot
    status: str
    lcd_ids: tuple[str, ...]


class FeeTables(Protocol):
    """The PFS rows alone (what pricing a line on its row needs)."""

    def fee(self, code: str, modifier: str = "") -> FeeIndicators | None: ...


class RuleTables(Protocol):
    @property
    def setting(self) -> ClaimSetting:
        """The claim's setting, whose NCCI tables these are; the PFS rules read it."""
        ...

    def ptp_for(self, code: str) -> Sequence[PtpEdit]:
        """The PTP edits where code is the column 1 code, active or not."""
        ...

    def mue_for(self, code: str) -> MueLimit | None: ...

    def addon_primaries(self, addon: str) -> Sequence[AddOnEdit]:
        """The add-on edits for addon; empty when it is not an add-on code."""
        ...

    def fee(self, code: str, modifier: str = "") -> FeeIndicators | None: ...

    def hcpcs_payment(self, code: str) -> HcpcsPayment | None:
        """The HCPCS Level II coverage and pricing codes; None for CPT or an unlisted code."""
        ...

    def ncd_listings(self, code: str) -> Sequence[NcdEntry]:
        """The NCD spreadsheet rows naming code (a procedure, a diagnosis or ALL_OTHERS)."""
        ...

    def article_listings(self, code: str) -> Mapping[str, ArticleListing]:
        """The LCD article crosswalk's diagnoses for a procedure code, by diagnosis (no dot);
        empty when no article in the loaded crosswalk names the code."""
        ...

    def code_exists(self, code: str, on: date) -> bool:
        """Whether a loaded CMS file in force on the date lists the code: the CPT/HCPCS code
        lists, or a payment or edit file naming it (OPPS Addendum B, MUE, NCD)."""
        ...

    def modifier_exists(self, modifier: str, on: date) -> bool: ...

    def diagnosis(self, code: str, on: date) -> DiagnosisInfo | None: ...

    def source(self, kind: TableKind) -> str:
        """Provenance for findings, e.g. "NCCI PTP practitioner 2024Q3 (effective 2024-07-01)"."""
        ...


class InMemoryTables:
    """RuleTables over dicts. A table that was not given is empty: lookups find nothing."""

    def __init__(
        self,
        *,
        ptp: Iterable[PtpEdit] = (),
        mue: Iterable[MueLimit] = (),
        addons: Iterable[AddOnEdit] = (),
        fees: Iterable[FeeIndicators] = (),
        hcpcs: Iterable[HcpcsPayment] = (),
        ncd: Iterable[NcdEntry] = (),
        articles: Iterable[ArticleListing] = (),
        codes: Mapping[str, Span] | None = None,
        modifiers: Mapping[str, Span] | None = None,
        diagnoses: Iterable[tuple[DiagnosisInfo, Span]] = (),
        sources: Mapping[TableKind, str] | None = None,
        setting: ClaimSetting = "practitioner",
    ) -> None:
        self._setting: ClaimSetting = setting
        ptp_by_column_1: defaultdict[str, list[PtpEdit]] = defaultdict(list)
        for edit in ptp:
            ptp_by_column_1[normalise_code(edit.column_1)].append(edit)
        self._ptp = {code: tuple(edits) for code, edits in ptp_by_column_1.items()}

        self._mue = {normalise_code(limit.code): limit for limit in mue}

        addons_by_code: defaultdict[str, list[AddOnEdit]] = defaultdict(list)
        for addon in addons:
            addons_by_code[normalise_code(addon.addon)].append(addon)
        self._addons = {code: tuple(edits) for code, edits in addons_by_code.items()}

        self._fees = {
            (normalise_code(fee.code), normalise_modifier(fee.modifier)): fee for fee in fees
        }
        self._hcpcs = {normalise_code(h.code): h for h in hcpcs}
        ncd_by_code: defaultdict[str, list[NcdEntry]] = defaultdict(list)
        for entry in ncd:
            ncd_by_code[entry.code].append(entry)
        self._ncd = {code: tuple(entries) for code, entries in ncd_by_code.items()}
        self._articles: defaultdict[str, dict[str, ArticleListing]] = defaultdict(dict)
        for listing in articles:
            self._articles[listing.procedure][listing.diagnosis] = listing
        self._codes = {normalise_code(c): span for c, span in (codes or {}).items()}
        self._modifiers = {normalise_modifier(m): span for m, span in (modifiers or {}).items()}

        diagnoses_by_code: defaultdict[str, list[tuple[DiagnosisInfo, Span]]] = defaultdict(list)
        for info, span in diagnoses:
            diagnoses_by_code[normalise_diagnosis(info.code)].append((info, span))
        self._diagnoses = dict(diagnoses_by_code)

        self._sources: Mapping[TableKind, str] = sources or {}

    @property
    def setting(self) -> ClaimSetting:
        return self._setting

    def ptp_for(self, code: str) -> Sequence[PtpEdit]:
        return self._ptp.get(code, ())

    def mue_for(self, code: str) -> MueLimit | None:
        return self._mue.get(code)

    def addon_primaries(self, addon: str) -> Sequence[AddOnEdit]:
        return self._addons.get(addon, ())

    def fee(self, code: str, modifier: str = "") -> FeeIndicators | None:
        return self._fees.get((code, modifier))

    def hcpcs_payment(self, code: str) -> HcpcsPayment | None:
        return self._hcpcs.get(code)

    def ncd_listings(self, code: str) -> Sequence[NcdEntry]:
        return self._ncd.get(code, ())

    def article_listings(self, code: str) -> Mapping[str, ArticleListing]:
        return self._articles.get(code, {})

    def code_exists(self, code: str, on: date) -> bool:
        span = self._codes.get(code)
        return span is not None and span.covers(on)

    def modifier_exists(self, modifier: str, on: date) -> bool:
        span = self._modifiers.get(modifier)
        return span is not None and span.covers(on)

    def diagnosis(self, code: str, on: date) -> DiagnosisInfo | None:
        for info, span in self._diagnoses.get(code, ()):
            if span.covers(on):
                return info
        return None

    def source(self, kind: TableKind) -> str:
        return self._sources.get(kind, f"{kind} table (in memory)")

"""Small builders for claims and in-memory edit tables, with defaults a test can ignore."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from medcode.rules.claim import Claim, ClaimLine
from medcode.rules.tables import (
    AddOnEdit,
    ArticleListing,
    ClaimSetting,
    DiagnosisInfo,
    FeeIndicators,
    HcpcsPayment,
    InMemoryTables,
    MueLimit,
    NcdEntry,
    PtpEdit,
    Rvus,
    Span,
    TableKind,
)

DOS = date(2024, 7, 15)

SOURCES: dict[TableKind, str] = {
    "ptp": "NCCI PTP practitioner 2024Q3 (effective 2024-07-01)",
    "mue": "NCCI MUE practitioner 2024Q3 (effective 2024-07-01)",
    "addon": "NCCI add-on code edits 2024Q3 (effective 2024-07-01)",
    "pfs": "PFS relative value file RVU24C (effective 2024-07-01)",
    "codes": "HCPCS Level II and CPT codes July 2024",
    "modifiers": "HCPCS modifiers July 2024",
    "diagnoses": "ICD-10-CM FY2024 (effective 2023-10-01)",
}


def line(
    number: int,
    code: str,
    *modifiers: str,
    units: int = 1,
    dos: date = DOS,
    pointers: tuple[int, ...] = (1,),
    pos: str | None = "11",
) -> ClaimLine:
    return ClaimLine(
        number=number,
        code=code,
        modifiers=modifiers,
        units=units,
        date_of_service=dos,
        place_of_service=pos,
        diagnosis_pointers=pointers,
    )


def claim(*lines: ClaimLine, diagnoses: tuple[str, ...] = ("M7989",)) -> Claim:
    return Claim(lines=lines, diagnoses=diagnoses)


def ptp_edit(
    column_1: str,
    column_2: str,
    indicator: str = "1",
    *,
    effective: date = date(2010, 1, 1),
    deleted: date | None = None,
    rationale: str = "Misuse of column two code with column one code",
) -> PtpEdit:
    return PtpEdit(column_1, column_2, effective, deleted, indicator, rationale)


def mue_limit(code: str, value: int, mai: int, rationale: str = "Clinical: data") -> MueLimit:
    return MueLimit(code, value, mai, rationale)


def addon_edit(
    addon: str,
    primary: str,
    edit_type: int = 1,
    *,
    effective: date | None = date(2010, 1, 1),
    deleted: date | None = None,
) -> AddOnEdit:
    return AddOnEdit(addon, primary, edit_type, effective, deleted)


def fee(
    code: str,
    modifier: str = "",
    *,
    status: str = "A",
    global_days: str = "XXX",
    pctc: int = 0,
    mult: int = 0,
    bilateral: int = 0,
    assistant: int = 2,
    cosurgeon: int = 2,
    team: int = 2,
    not_used: bool = False,
    nonfac_na: bool = False,
    facility_na: bool = False,
    rvus: Rvus | None = None,
) -> FeeIndicators:
    return FeeIndicators(
        code=code,
        modifier=modifier,
        status_code=status,
        global_days=global_days,
        pctc_ind=pctc,
        mult_proc_ind=mult,
        bilat_surg_ind=bilateral,
        asst_surg_ind=assistant,
        co_surg_ind=cosurgeon,
        team_surg_ind=team,
        not_used_for_medicare=not_used,
        nonfac_na=nonfac_na,
        facility_na=facility_na,
        rvus=rvus,
    )


def rvus(
    work: str, nonfac_pe: str, facility_pe: str, mp: str, conv_factor: str | None = "32.3465"
) -> Rvus:
    """A PFS row's relative values as the file prints them ("19.60")."""
    return Rvus(
        Decimal(work),
        Decimal(nonfac_pe),
        Decimal(facility_pe),
        Decimal(mp),
        None if conv_factor is None else Decimal(conv_factor),
    )


HCPCS_SOURCE = "HCPCS Level II 2026 January, effective 2026-01-01"


def hcpcs(code: str, coverage: str = "C", *pricing: str) -> HcpcsPayment:
    return HcpcsPayment(code, coverage, pricing or ("11",), HCPCS_SOURCE)


def diagnosis(
    code: str, *excludes1: str, is_billable: bool = True, span: Span | None = None
) -> tuple[DiagnosisInfo, Span]:
    return DiagnosisInfo(code, is_billable, excludes1), span or Span()


def tables(
    *,
    ptp: Iterable[PtpEdit] = (),
    mue: Iterable[MueLimit] = (),
    addons: Iterable[AddOnEdit] = (),
    fees: Iterable[FeeIndicators] = (),
    hcpcs: Iterable[HcpcsPayment] = (),
    ncd: Iterable[NcdEntry] = (),
    articles: Iterable[ArticleListing] = (),
    codes: Iterable[str] = (),
    modifiers: Iterable[str] = (),
    diagnoses: Iterable[tuple[DiagnosisInfo, Span]] = (),
    setting: ClaimSetting = "practitioner",
) -> InMemoryTables:
    """Tables in which every code and modifier given is valid on every date."""
    return InMemoryTables(
        ptp=ptp,
        mue=mue,
        addons=addons,
        fees=fees,
        hcpcs=hcpcs,
        ncd=ncd,
        articles=articles,
        codes={code: Span() for code in codes},
        modifiers={modifier: Span() for modifier in modifiers},
        diagnoses=diagnoses,
        sources=SOURCES,
        setting=setting,
    )

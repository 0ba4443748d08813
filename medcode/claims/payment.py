"""The expected Medicare payment of a checked claim: amounts by line and a claim total.

A practitioner claim is priced under the PFS (medcode.rules.payment), its DME lines (no PFS
row, a DMEPOS fee schedule row) under the DMEPOS fee schedule for the claim's state
(medcode.rules.dmepos); an outpatient hospital claim under the OPPS (medcode.rules.opps:
Addendum B rates and the packaging its status indicators imply). This module picks, for each
date of service, the releases and the locality's GPCIs from the loaded releases, and never
mixes years: a date whose year has no PFS, Addendum B or DMEPOS file loaded is not priced,
and a locality whose GPCIs are not of the RVUs' year falls back to the national amount with a
notice saying so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medcode.claims.releases import ReleaseRef, Setting
from medcode.claims.tables import TableCache
from medcode.codes.catalog import release_catalog
from medcode.codes.page.payment import UNKNOWN_LOCALITY, find_locality, gpci_release
from medcode.ops import datacache
from medcode.rules import Claim
from medcode.rules.dmepos import price_dme_line
from medcode.rules.opps import OppsRate, price_opps
from medcode.rules.payment import (
    NATIONAL,
    Adjustment,
    ClaimPayment,
    Gpci,
    LinePayment,
    PricingPlace,
    price_claim,
)

NO_PFS = "No PFS relative value file is loaded, so no expected payment is computed."
PFS_OTHER_YEAR = (
    "No PFS relative value file of {year} in force on {on} is loaded (the one in force, "
    "{release}, is of {release_year}); years are not mixed, so lines of {on} are not priced."
)
OPPS_BASIS = (
    "Outpatient hospital claim: national unadjusted OPPS payment rates from Addendum B "
    "({release}), before the hospital's wage index, with the packaging the status "
    "indicators imply; no coinsurance, deductible or outlier payment."
)
NO_OPPS = "No OPPS Addendum B is loaded, so no outpatient hospital payment is computed."
OPPS_OTHER_YEAR = (
    "No OPPS Addendum B of {year} is loaded (the one loaded, {release}, is of {release_year}); "
    "years are not mixed, so lines of {on} are not priced."
)
OPPS_OTHER_QUARTER = (
    "Lines of {on} are priced from {release} (effective {start}), the only Addendum B of {year} "
    "loaded; that quarter's rates may differ from those in force on {on}."
)
DMEPOS_OTHER_YEAR = (
    "No DMEPOS fee schedule of {year} is loaded (loaded: {release}); years are not mixed, so "
    "DME lines of {on} are not priced."
)
DMEPOS_OTHER_QUARTER = (
    "DME lines of {on} are priced from the DMEPOS fee schedule {release} (effective {start}), "
    "the only one of {year} loaded; that quarter's fees may differ from those in force on {on}."
)
DMEPOS_BASIS = "DME lines: DMEPOS fee schedule {release}, {state} {area} fees."
GPCI_NOT_LOADED = (
    "GPCIs for {year} are not loaded (loaded: {loaded}): lines of {on} are priced at national "
    "amounts."
)
GPCI_OTHER_YEAR = (
    "The relative values in force on {on} are {rvu} ({rvu_year}) and the GPCIs in force are "
    "of {gpci_year}; years are not mixed, so lines of {on} are priced at national amounts."
)
NATIONAL_BASIS = (
    "National amounts (GPCIs of 1): give the claim a locality (MAC and locality number, a "
    "locality name, or 'County, ST') for local amounts."
)


@dataclass(frozen=True, slots=True)
class ExpectedPayment:
    payment: ClaimPayment
    requested_locality: str | None
    localities: tuple[Gpci, ...] = ()  # the localities priced (one per GPCI year)
    notices: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    setting: Setting = "practitioner"
    state: str | None = None  # the state of the DMEPOS fees (given, or the locality's)
    rural: bool = False

    @property
    def basis(self) -> str:
        if self.setting == "outpatient_hospital":
            return "opps_national"
        return "locality" if self.localities else "national"

    def as_dict(self) -> dict[str, Any]:
        payment = self.payment
        return {
            "basis": self.basis,
            "state": self.state,
            "rural": self.rural,
            "requested_locality": self.requested_locality,
            "locality": _locality_dict(self.localities[0]) if self.localities else None,
            "total": _money(payment.total),
            "is_complete": payment.is_complete,
            "lines": [line_dict(p) for p in payment.lines],
            "notices": list(self.notices),
            "sources": self.sources,
        }


def _money(amount: Decimal | None) -> str | None:
    # Every amount is already rounded to the cent ("1467.49"), so str() is its dollar text.
    return None if amount is None else str(amount)


def _locality_dict(gpci: Gpci) -> dict[str, str]:
    return {
        "mac": gpci.mac,
        "locality": gpci.locality,
        "name": gpci.name.rstrip("*").strip(),
        "state": gpci.state,
        "work_gpci": str(gpci.work),
        "pe_gpci": str(gpci.pe),
        "mp_gpci": str(gpci.mp),
    }


def line_dict(payment: LinePayment) -> dict[str, Any]:
    return {
        "line": payment.line,
        "code": payment.code,
        "status": payment.status,
        "setting": payment.setting,
        "fee": _money(payment.fee),
        "amount": _money(payment.amount),
        "reason": payment.reason,
        "formula": payment.formula,
        "adjustments": [adjustment_dict(a) for a in payment.adjustments],
        "source": payment.source,
        "schedule": payment.schedule,
        "status_indicator": payment.status_indicator or None,
        "packaged_into": list(payment.packaged_into),
    }


def adjustment_dict(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "rule": adjustment.rule,
        "indicator": adjustment.indicator,
        "percent": None if adjustment.percent is None else f"{adjustment.percent.normalize():f}",
        "message": adjustment.message,
        "source": adjustment.source,
    }


def expected_payment(
    claim: Claim,
    parts: list[tuple[Claim, TableCache]],
    *,
    setting: Setting,
    locality: str | None,
    state: str | None = None,
    rural: bool = False,
) -> ExpectedPayment:
    """Price each part of a claim (its lines under one set of releases) and merge them."""
    if setting == "outpatient_hospital":
        return _opps_payment(claim, parts, locality=locality, state=state, rural=rural)
    notices: list[str] = []
    localities: list[Gpci] = []
    sources: dict[str, str] = {}
    if not locality:
        notices.append(NATIONAL_BASIS)

    def unavailable(text: str) -> PricingPlace:
        notices.append(text)
        return PricingPlace(unavailable=text)

    by_number: dict[int, LinePayment] = {}
    for part, cache in parts:
        pfs = cache.releases.pfs
        label = pfs.version_label or pfs.citation if pfs is not None else ""

        def place_for(
            on: dt.date, pfs: ReleaseRef | None = pfs, label: str = label
        ) -> PricingPlace:
            if pfs is None:
                return unavailable(NO_PFS)
            if pfs.effective_from.year != on.year:
                return unavailable(
                    PFS_OTHER_YEAR.format(
                        year=on.year, on=on, release=label, release_year=pfs.effective_from.year
                    )
                )
            if not locality:
                return PricingPlace()
            return _place(on, pfs, locality, notices, localities, sources)

        for payment in price_claim(part, cache, place_for=place_for, release=label).lines:
            by_number[payment.line] = payment
        if pfs is not None:
            sources.setdefault("pfs", cache.source("pfs"))
    state = state or _state_of(locality, localities)
    for part, cache in parts:
        _price_dme(part, cache, by_number, state, rural, notices, sources)
    return ExpectedPayment(
        ClaimPayment(tuple(by_number[line.number] for line in claim.lines)),
        locality,
        tuple(dict.fromkeys(localities)),
        tuple(dict.fromkeys(notices)),
        sources,
        setting,
        state,
        rural,
    )


def _state_of(locality: str | None, localities: list[Gpci]) -> str | None:
    """The state a locality implies: the priced locality's, or the ST of 'County, ST'."""
    if localities and localities[0].state:
        return localities[0].state.upper()
    if locality and "," in locality:
        found = locality.rsplit(",", 1)[1].strip().upper()
        if len(found) == 2 and found.isalpha():
            return found
    return None


def _price_dme(
    part: Claim,
    cache: TableCache,
    by_number: dict[int, LinePayment],
    state: str | None,
    rural: bool,
    notices: list[str],
    sources: dict[str, str],
) -> None:
    """Lines the PFS does not price whose code has DMEPOS rows: the state's DMEPOS fee."""
    waiting = [
        line
        for line in part.lines
        if by_number[line.number].status == "not_priced" and line.code[:1].isalpha()
    ]
    release = cache.releases.dmepos
    if not waiting or release is None:
        return
    label = release.version_label or release.citation
    for line in waiting:
        rows = cache.dmepos_rows(line.code)
        if not rows:
            continue
        on = line.date_of_service
        if release.effective_from.year != on.year:
            text = DMEPOS_OTHER_YEAR.format(year=on.year, release=release.citation, on=on)
            notices.append(text)
            old = by_number[line.number]
            by_number[line.number] = LinePayment(
                old.line, old.code, "not_priced", old.setting, None, None, text, "",
                source=release.citation, schedule="dmepos",
            )  # fmt: skip
            continue
        if not _in_quarter(release, on):
            notices.append(
                DMEPOS_OTHER_QUARTER.format(
                    on=on, release=label, start=release.effective_from, year=on.year
                )
            )
        by_number[line.number] = price_dme_line(
            line, rows, state=state, rural=rural, release=label, source=release.citation
        )
        sources.setdefault("dmepos", release.citation)
        if state:
            area = "rural" if rural else "non-rural"
            notices.append(DMEPOS_BASIS.format(release=label, state=state, area=area))


def _in_quarter(release: ReleaseRef, on: dt.date) -> bool:
    start = release.effective_from
    end_month = start.month + 2
    return start <= on and (on.year, on.month) <= (start.year, end_month)


def _opps_payment(
    claim: Claim,
    parts: list[tuple[Claim, TableCache]],
    *,
    locality: str | None,
    state: str | None,
    rural: bool,
) -> ExpectedPayment:
    """An outpatient hospital claim under the OPPS: one pricing over the whole claim, since a
    comprehensive (J1) line packages the claim's other lines whatever their dates."""
    notices: list[str] = []
    sources: dict[str, str] = {}
    rates: dict[str, OppsRate | None] = {}
    release_of: dict[dt.date, ReleaseRef | None] = {}
    for part, cache in parts:
        opps = cache.releases.opps
        for line in part.lines:
            rates[line.code] = cache.opps_rate(line.code)
            release_of[line.date_of_service] = opps
        if opps is not None:
            sources.setdefault("opps", opps.citation)
    labels = list(
        dict.fromkeys(r.version_label or r.citation for r in release_of.values() if r is not None)
    )
    label = "; ".join(labels) or "no Addendum B"
    notices.append(OPPS_BASIS.format(release=label))

    def unavailable(on: dt.date) -> str:
        opps = release_of.get(on)
        if opps is None:
            return NO_OPPS
        if opps.effective_from.year != on.year:
            return OPPS_OTHER_YEAR.format(
                year=on.year,
                release=opps.version_label or opps.citation,
                release_year=opps.effective_from.year,
                on=on,
            )
        if not _in_quarter(opps, on):
            notices.append(
                OPPS_OTHER_QUARTER.format(
                    on=on,
                    release=opps.version_label or opps.citation,
                    start=opps.effective_from,
                    year=on.year,
                )
            )
        return ""

    source = sources.get("opps", NO_OPPS)
    priced = price_opps(claim, rates, release=label, source=source, unavailable=unavailable)
    for payment in priced:
        if payment.reason == NO_OPPS or payment.reason.startswith("No OPPS Addendum B of"):
            notices.append(payment.reason)
    return ExpectedPayment(
        ClaimPayment(priced),
        locality,
        (),
        tuple(dict.fromkeys(notices)),
        sources,
        "outpatient_hospital",
        state,
        rural,
    )


def _place(
    on: dt.date,
    pfs: ReleaseRef,
    wanted: str,
    notices: list[str],
    localities: list[Gpci],
    sources: dict[str, str],
) -> PricingPlace:
    gpci_rel = gpci_release(on)
    if gpci_rel is None:
        loaded = sorted({r.version_label for r in release_catalog().with_table("gpci", None)})
        notices.append(
            GPCI_NOT_LOADED.format(year=on.year, loaded=", ".join(loaded) or "none", on=on)
        )
        return PricingPlace()
    if gpci_rel.effective_from.year != pfs.effective_from.year:
        notices.append(
            GPCI_OTHER_YEAR.format(
                on=on,
                rvu=pfs.citation,
                rvu_year=pfs.effective_from.year,
                gpci_year=gpci_rel.effective_from.year,
            )
        )
        return PricingPlace()
    gpci = _locality(gpci_rel.pk, wanted)
    if gpci is None:
        notices.append(
            UNKNOWN_LOCALITY.format(year=gpci_rel.effective_from.year, locality=wanted)
            + " National amounts are shown."
        )
        return PricingPlace()
    localities.append(gpci)
    citation = release_catalog().sources[gpci_rel.pk].citation
    sources.setdefault("gpci", citation)
    return PricingPlace(gpci, citation)


def _locality(release_id: int, wanted: str) -> Gpci | None:
    return _locality_in(release_id, " ".join(wanted.upper().split()))


@datacache.cached("claim-locality", keep_when_off=True)
def _locality_in(release_id: int, wanted: str) -> Gpci | None:
    """A claim's locality in a GPCI release, kept in the data cache until the next import: a
    claim check must not query for it."""
    release = next(r for r in release_catalog().releases if r.pk == release_id)
    return find_locality(release, wanted)


__all__ = ["NATIONAL", "ExpectedPayment", "expected_payment"]

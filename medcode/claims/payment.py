"""The expected Medicare payment of a checked claim: PFS amounts by line and a claim total.

The rules (medcode.rules.payment) price the lines; this module picks, for each date of
service, the PFS release and the locality's GPCIs from the loaded releases, and never mixes
years: a date whose year has no PFS file loaded is not priced, and a locality whose GPCIs are
not of the RVUs' year falls back to the national amount with a notice saying so.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medcode.claims.releases import ReleaseRef, Setting
from medcode.claims.tables import TableCache
from medcode.codes.catalog import release_catalog
from medcode.codes.payment import UNKNOWN_LOCALITY, find_locality, gpci_release
from medcode.rules import Claim
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
NOT_PRACTITIONER = (
    "The PFS prices practitioner claims; an outpatient hospital claim is paid under the OPPS, "
    "which this estimate does not compute."
)
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
# Localities resolved, per catalog and GPCI release: a claim check must not query for them.
_LOCALITIES: dict[tuple[object, int, str], Gpci | None] = {}
_LOCALITIES_LIMIT = 4096
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class ExpectedPayment:
    payment: ClaimPayment
    requested_locality: str | None
    localities: tuple[Gpci, ...] = ()  # the localities priced (one per GPCI year)
    notices: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def basis(self) -> str:
        return "locality" if self.localities else "national"

    def as_dict(self) -> dict[str, Any]:
        payment = self.payment
        return {
            "basis": self.basis,
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
) -> ExpectedPayment:
    """Price each part of a claim (its lines under one set of releases) and merge them."""
    notices: list[str] = []
    localities: list[Gpci] = []
    sources: dict[str, str] = {}
    if setting != "practitioner":
        notices.append(NOT_PRACTITIONER)
    elif not locality:
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
            if setting != "practitioner":
                return PricingPlace(unavailable=NOT_PRACTITIONER)
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
    return ExpectedPayment(
        ClaimPayment(tuple(by_number[line.number] for line in claim.lines)),
        locality,
        tuple(dict.fromkeys(localities)),
        tuple(dict.fromkeys(notices)),
        sources,
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
    catalog = release_catalog()
    key = (catalog.fingerprint, release_id, " ".join(wanted.upper().split()))
    with _LOCK:
        if key in _LOCALITIES:
            return _LOCALITIES[key]
    release = next(r for r in catalog.releases if r.pk == release_id)
    found = find_locality(release, wanted)
    with _LOCK:
        if len(_LOCALITIES) >= _LOCALITIES_LIMIT:
            _LOCALITIES.clear()
        _LOCALITIES[key] = found
    return found


__all__ = ["NATIONAL", "ExpectedPayment", "expected_payment"]

"""Medicare Physician Fee Schedule payment in one locality.

payment = [(work RVU x work GPCI) + (PE RVU x PE GPCI) + (MP RVU x MP GPCI)] x CF, with the
non-facility PE RVU for office (non-facility) settings and the facility PE RVU otherwise
(DATA_LAYOUTS.md, PFS; CMS's PFS relative value file documentation). Non-participating
providers are paid 95% of that amount and may charge at most 115% of the non-participating
amount (the limiting charge, 109.25% of the fee schedule amount).

The GPCIs must be of the same calendar year as the RVUs and in force on the date of service:
where they are not loaded the panel says so and gives no local figure (never mixes years).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

from medcode.codes.catalog import release_catalog
from medcode.codes.models import FeeScheduleItem, ReferenceRow, Release
from medcode.codes.page.build import CodePage
from medcode.codes.page.panels import Fact, Panel, Source, money, no_payment_reason
from medcode.lib.in_force import covers
from medcode.rules.payment import Gpci, limiting_charge, locality_amount, non_participating

__all__ = [
    "Gpci",
    "find_locality",
    "gpci_release",
    "limiting_charge",
    "locality_amount",
    "locality_panel",
    "non_participating",
    "with_locality",
]

GPCI_NOT_LOADED = (
    "GPCIs for {year} are not loaded (loaded: {loaded}), so no local payment is shown for "
    "{on}; the national amounts on the fee schedule panel apply before the locality adjustment."
)
GPCI_OTHER_YEAR = (
    "The relative values in force on {on} are {rvu} ({rvu_year}); the GPCIs in force are of "
    "{gpci_year}. Years are not mixed: no local payment is shown."
)
UNKNOWN_LOCALITY = (
    "No {year} payment locality {locality!r}: give the MAC and locality number (e.g. 13202-01), "
    "a locality name from the GPCI file, or a county and state (e.g. Kings County, NY)."
)
NO_RVU = "No PFS relative values are loaded for {code} on {on}."
ANESTHESIA_NOT_LOADED = (
    "PFS status J: an anesthesia service is paid (base units + time units) x the locality's "
    "anesthesia conversion factor; the base units of anesthesia codes are not in the loaded "
    "data, so medcode shows no amount rather than one from RVUs."
)


def _decimal(value: object) -> Decimal:
    # Through str: float RVUs from the database (1.92) become the decimals the file printed.
    return Decimal(str(value))


def gpci_release(on: dt.date) -> Release | None:
    """The GPCI release in force on `on` (strictly: none outside its dates)."""
    for release in reversed(release_catalog().in_force("gpci", on)):
        if covers(release, on):
            return release
    return None


def gpcis(release: Release) -> list[Gpci]:
    found = []
    for row in ReferenceRow.objects.filter(release=release, key="gpci"):
        data = row.data
        found.append(
            Gpci(
                mac=str(data["mac"]),
                locality=str(data["locality"]),
                state=str(data.get("state", "")),
                name=str(data.get("locality_name", "")),
                work=_decimal(data["pw_gpci_with_floor"]),
                pe=_decimal(data["pe_gpci"]),
                mp=_decimal(data["mp_gpci"]),
            )
        )
    return found


def find_locality(release: Release, wanted: str) -> Gpci | None:
    """A locality by MAC and number ("13202-01", "13202 01", "1320201"), by its name
    ("Manhattan"), or by county and state ("Kings County, NY") through the locality-county
    file of the same year."""
    text = " ".join(wanted.replace("-", " ").split()).upper()
    compact = text.replace(" ", "")
    rows = gpcis(release)
    for gpci in rows:
        if compact == f"{gpci.mac}{gpci.locality}":
            return gpci
    named = [g for g in rows if g.name.upper().rstrip("*").strip() == text]
    if len(named) == 1:
        return named[0]
    if "," in text:
        county, state = (part.strip() for part in text.rsplit(",", 1))
        key = county_locality(release, county, state, rows)
        return next((g for g in rows if g.key == key), None)
    return None


COUNTY_WORDS = re.compile(r"\b(?:COUNTY|CNTY|PARISH|BOROUGH)\b")
COUNTY_SPLIT = re.compile(r",|/|\bAND\b")
ALL_COUNTIES = ("ALL OTHER COUNTIES", "ALL COUNTIES")


def county_locality(release: Release, county: str, state: str, rows: list[Gpci]) -> str | None:
    """The MAC-locality whose counties (locality-county file) name `county` in `state`
    (a state's "all other counties" locality when none names it)."""
    year = release.effective_from.year
    counties = next(
        (
            r
            for r in release_catalog().with_table("localities", None)
            if r.effective_from.year == year
        ),
        None,
    )
    if counties is None:
        return None
    abbreviations = {g.key: g.state.upper() for g in rows}
    county = COUNTY_WORDS.sub("", county).strip()
    fallback = None
    current_state = ""
    # File order: a state's continuation rows leave the state blank.
    for row in ReferenceRow.objects.filter(release=counties, key="localities").order_by("pk"):
        data = row.data
        current_state = str(data.get("state") or current_state).upper()
        key = f"{data['mac']}-{data['locality']}"
        if state not in {current_state, abbreviations.get(key, "")}:
            continue
        listed = str(data.get("counties", "")).upper()
        names = {COUNTY_WORDS.sub("", n).strip() for n in COUNTY_SPLIT.split(listed)}
        if county in names:
            return key
        if listed.strip() in ALL_COUNTIES:
            fallback = key
    return fallback


def locality_panel(code: str, on: dt.date, locality: str) -> Panel | None:
    """The local payment panel for a code page; None when the code has no PFS row at all."""
    catalog = release_catalog()
    rvu_releases = catalog.in_force("fee_items", on)[-1:]
    if not rvu_releases:
        return None
    rvu_release = rvu_releases[0]
    rows = list(FeeScheduleItem.objects.filter(release_id=rvu_release.pk, code=code))
    main = next((r for r in rows if not r.modifier), None)
    if main is None:
        return None
    rvu_source = catalog.sources[rvu_release.pk]
    gpci = gpci_release(on)

    def notice(text: str, source: Source) -> Panel:
        return Panel(
            key="fee_schedule_locality",
            title="Medicare payment in your locality",
            source=source,
            as_of=on,
            summary=text,
        )

    if gpci is None:
        loaded = sorted({r.version_label for r in catalog.with_table("gpci", None)})
        return notice(
            GPCI_NOT_LOADED.format(year=on.year, loaded=", ".join(loaded) or "none", on=on),
            rvu_source,
        )
    if gpci.effective_from.year != rvu_release.effective_from.year:
        return notice(
            GPCI_OTHER_YEAR.format(
                on=on,
                rvu=rvu_release.version_label,
                rvu_year=rvu_release.effective_from.year,
                gpci_year=gpci.effective_from.year,
            ),
            rvu_source,
        )
    gpci_source = catalog.sources[gpci.pk]
    place = find_locality(gpci, locality)
    if place is None:
        return notice(
            UNKNOWN_LOCALITY.format(year=gpci.effective_from.year, locality=locality), gpci_source
        )
    return _panel(main, place, on, rvu_source, gpci_source)


def _panel(row: FeeScheduleItem, place: Gpci, on: dt.date, rvu: Source, gpci: Source) -> Panel:
    name = place.name.rstrip("*").strip()
    where = f"{name} ({place.state}; MAC {place.mac}, locality {place.locality})"
    cf = f"{row.conv_factor:.4f}" if row.conv_factor else ""
    facts = [
        Fact("Locality", where, ""),
        Fact(
            "GPCIs (work / PE / MP)",
            f"{place.work} / {place.pe} / {place.mp}",
            f"{gpci.citation}; the work GPCI includes the floor where one applies.",
        ),
        Fact("Conversion factor", cf, rvu.citation),
    ]
    reason = no_payment_reason(row)
    if reason is not None:
        facts.append(Fact("Medicare payment", "None", reason + "."))
    elif (row.status_code or "").strip().upper() == "J":
        facts.append(Fact("Anesthesia payment", "Not computed", ANESTHESIA_NOT_LOADED))
    else:
        for label, pe, is_na in (
            ("Non-facility", row.nonfac_pe_rvu, row.nonfac_na),
            ("Facility", row.facility_pe_rvu, row.facility_na),
        ):
            if is_na or pe is None or row.conv_factor is None:
                facts.append(Fact(f"{label} payment", "NA (not paid in this setting)", ""))
                continue
            amount = locality_amount(
                work=row.work_rvu or 0,
                pe=pe,
                mp=row.mp_rvu or 0,
                gpci=place,
                conv_factor=row.conv_factor,
            )
            facts += [
                Fact(
                    f"{label} payment",
                    money(float(amount)),
                    f"(work RVU {row.work_rvu} x {place.work} + {label.lower()} PE RVU {pe} x "
                    f"{place.pe} + MP RVU {row.mp_rvu} x {place.mp}) x {row.conv_factor}.",
                ),
                Fact(
                    f"{label} non-participating amount",
                    money(float(non_participating(amount))),
                    "95% of the fee schedule amount.",
                ),
                Fact(
                    f"{label} limiting charge",
                    money(float(limiting_charge(amount))),
                    "The most a non-participating provider may charge for an unassigned claim: "
                    "115% of the non-participating amount.",
                ),
            ]
    return Panel(
        key="fee_schedule_locality",
        title=f"Medicare payment in {name}",
        source=gpci,
        as_of=on,
        summary=(
            f"The global row's RVUs ({rvu.citation}) with this locality's GPCIs, times the "
            "conversion factor. Multiple-procedure, bilateral, assistant and co-surgeon "
            "reductions are not applied here."
        ),
        facts=tuple(f for f in facts if f.value),
    )


def with_locality(page: CodePage, locality: str) -> CodePage:
    """The page with its local payment panel after the fee schedule panel (when it has one)."""
    panel = locality_panel(page.code, page.on, locality)
    if panel is None:
        return page
    found = list(page.panels)
    at = next((n + 1 for n, p in enumerate(found) if p.key == "fee_schedule"), len(found))
    found.insert(at, panel)
    return replace(page, panels=tuple(found))

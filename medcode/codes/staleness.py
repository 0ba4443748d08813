"""Whether a date of service falls after the newest loaded release of a dataset, said plainly.

A release covers its period: NCCI tables, MUEs, add-on edits, HCPCS and the PFS quarterly
RVU files a calendar quarter; a PFS file labelled by calendar year (CY2025) a year; ICD-10-CM
and ICD-10-PCS a fiscal year (October to September). A release's own `effective_to` wins;
the period only fills in when the importer left it blank. When the date of service is after
the end of the newest loaded release, the data for that date is not loaded, and every answer
that rests on it says so ("NCCI PTP edits for 2026-12-05 are not loaded; the newest loaded
are 2024Q3 (v30.2), effective 2024-07-01 to 2024-09-30.") rather than calling old edits
"in force". Of releases equally new, a complete table counts before a partial one.

The releases come from the code pages' release catalog (`medcode.codes.catalog`), read once
per process and reloaded after an import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from medcode.codes.catalog import ReleaseCatalog, derived, release_catalog
from medcode.codes.models import CodeSystem, Release
from medcode.codes.page.panels import Panel
from medcode.codes.sync import Period, period_start, shift


@dataclass(frozen=True)
class Family:
    """The releases of one dataset that replace one another, whichever file they came in."""

    key: str
    label: str  # plural: "NCCI PTP edits ... are not loaded"
    table: str  # the row_counts key its releases carry
    system: str | None  # code system, for the code lists
    period: Period


FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family("ncci_ptp", "NCCI PTP edits", "ptp_edits", None, "quarter"),
        Family("ncci_mue", "NCCI MUEs", "mue_limits", None, "quarter"),
        Family("ncci_aoc", "NCCI add-on code edits", "addon_edits", None, "quarter"),
        Family("pfs", "Medicare PFS relative values", "fee_items", None, "quarter"),
        Family("hcpcs", "HCPCS Level II codes", "codes", CodeSystem.HCPCS, "quarter"),
        Family("icd10cm", "ICD-10-CM codes", "codes", CodeSystem.ICD10CM, "fiscal_year"),
        Family("icd10pcs", "ICD-10-PCS codes", "codes", CodeSystem.ICD10PCS, "fiscal_year"),
        Family("opps", "OPPS Addendum B payment rates", "opps_items", None, "quarter"),
        Family("dmepos", "DMEPOS fee schedule amounts", "dmepos_fees", None, "quarter"),
    )
}

UNKNOWN_FAMILY = "unknown dataset {key!r}; one of {known}"
NOT_LOADED = (
    "{label} for {on} are not loaded; the newest loaded are {version}, effective {start} to {end}."
)
KEPT_NOTICES = 8192  # sentences kept per process, by family, table and date
# A PFS file named for its calendar year (CY2025) covers the year, not a quarter.
CALENDAR_YEAR = re.compile(r"CY\d{4}")


def family(key: str) -> Family:
    try:
        return FAMILIES[key]
    except KeyError:
        known = ", ".join(FAMILIES)
        raise KeyError(UNKNOWN_FAMILY.format(key=key, known=known)) from None


def family_of(table: str, system: str | None = None) -> Family | None:
    """The family whose releases carry `table` (and, for code lists, codes of `system`)."""
    for candidate in FAMILIES.values():
        if candidate.table == table and candidate.system in (None, system):
            return candidate
    return None


# Periods -------------------------------------------------------------------------------------


def period_of(fam: Family, release: Release) -> Period:
    """The span one release of the family covers, from its metadata."""
    if fam.period == "quarter" and CALENDAR_YEAR.fullmatch(release.version_label.strip()):
        return "year"
    return fam.period


def next_period_start(period: Period, day: dt.date) -> dt.date:
    """The first day of the period after the one holding `day`."""
    return shift(period, period_start(period, day), 1)


def period_end(fam: Family, release: Release) -> dt.date:
    """The last date a release covers: its effective_to, else the end of its period."""
    if release.effective_to is not None:
        return release.effective_to
    start = next_period_start(period_of(fam, release), release.effective_from)
    return start - dt.timedelta(days=1)


def periods_after(period: Period, end: dt.date, today: dt.date) -> int:
    """How many periods began after `end` up to `today`: the releases an install has missed."""
    count, start = 0, next_period_start(period, end)
    while start <= today:
        count += 1
        start = next_period_start(period, start)
    return count


# Checks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staleness:
    """A family's newest loaded release against a date of service."""

    family: Family
    on: dt.date
    label: str  # what the sentence names: the family, or one table of it
    newest: Release | None
    ends: dt.date | None

    @property
    def is_stale(self) -> bool:
        return self.ends is not None and self.on > self.ends

    @property
    def notice(self) -> str:
        """The plain sentence when the date is after the newest release; "" otherwise."""
        if not self.is_stale or self.newest is None or self.ends is None:
            return ""
        return NOT_LOADED.format(
            label=self.label,
            on=self.on.isoformat(),
            version=self.newest.version_label,
            start=self.newest.effective_from.isoformat(),
            end=self.ends.isoformat(),
        )


def newest_release(
    key: str, *, dataset: str | None = None, catalog: ReleaseCatalog | None = None
) -> tuple[Release, dt.date] | None:
    """The family's newest loaded release (only `dataset`'s, if given) and its last date."""
    cache_key = ("staleness", key, dataset)
    found: tuple[Release, dt.date] | None = derived.get(cache_key)
    if found is not None or cache_key in derived:
        return found
    fam = family(key)
    releases = [
        r
        for r in (catalog or release_catalog()).with_table(fam.table, fam.system)
        if dataset is None or r.dataset == dataset
    ]
    if releases:
        ends = {r.pk: period_end(fam, r) for r in releases}
        newest = max(
            releases,
            key=lambda r: (r.effective_from, ends[r.pk], "partial" not in r.dataset, r.pk),
        )
        found = (newest, ends[newest.pk])
    derived[cache_key] = found
    return found


def check(
    key: str, on: dt.date, *, dataset: str | None = None, catalog: ReleaseCatalog | None = None
) -> Staleness:
    """Whether `on` is after the newest loaded release of family `key` (or of one of its
    datasets, e.g. "ncci_ptp_hospital"), with the sentence to show when it is."""
    fam = family(key)
    found = newest_release(key, dataset=dataset, catalog=catalog)
    label = fam.label
    if dataset is not None and found is not None:
        label = found[0].get_dataset_title()  # "NCCI PTP edits, outpatient hospital"
    if found is None:
        return Staleness(fam, on, label, None, None)
    return Staleness(fam, on, label, found[0], found[1])


def notice(
    key: str, on: dt.date, *, dataset: str | None = None, catalog: ReleaseCatalog | None = None
) -> str:
    """The stale-data sentence for family `key` on `on`, or "" when it is loaded."""
    # Kept with the catalog (emptied when it reloads): a claim batch asks for the same few
    # dates many times. Bounded, since any ?date= can be asked for.
    kept: dict[tuple[str, str | None, dt.date], str] | None = derived.get(("stale-notices",))
    if kept is None or len(kept) > KEPT_NOTICES:
        kept = derived[("stale-notices",)] = {}
    found = kept.get((key, dataset, on))
    if found is None:
        found = kept[(key, dataset, on)] = check(key, on, dataset=dataset, catalog=catalog).notice
    return found


def family_of_dataset(dataset: str, catalog: ReleaseCatalog | None = None) -> Family | None:
    """The family an importer dataset's releases belong to (None: not judged for staleness)."""
    cache_key = ("staleness-family", dataset)
    if cache_key in derived:
        found: Family | None = derived[cache_key]
        return found
    found = None
    for release in (catalog or release_catalog()).releases:
        if release.dataset == dataset:
            found = next(
                (
                    fam
                    for fam in FAMILIES.values()
                    if fam.table in release.row_counts and fam.system in (None, release.code_system)
                ),
                None,
            )
            break
    derived[cache_key] = found
    return found


def dataset_notice(dataset: str, on: dt.date, catalog: ReleaseCatalog | None = None) -> str:
    """The stale-data sentence for one importer dataset's table on `on`, or ""."""
    fam = family_of_dataset(dataset, catalog)
    return "" if fam is None else notice(fam.key, on, dataset=dataset, catalog=catalog)


def mark_panels(
    panels: Iterable[Panel], on: dt.date, catalog: ReleaseCatalog | None = None
) -> tuple[Panel, ...]:
    """Code page panels, each built from a stale table saying so (its `stale` sentence)."""
    marked = []
    for panel in panels:
        sentence = dataset_notice(panel.source.dataset, on, catalog)
        marked.append(replace(panel, stale=sentence) if sentence else panel)
    return tuple(marked)


# Status --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyStatus:
    """One family's newest loaded release and how far behind `today` it is."""

    key: str
    label: str
    period: Period
    newest: str | None  # version label
    dataset: str | None
    effective_from: dt.date | None
    effective_to: dt.date | None
    days_behind: int  # days from the release's last date to today (0 when it covers today)
    periods_behind: int  # releases of its period published since (expected, not checked)

    @property
    def is_stale(self) -> bool:
        return self.days_behind > 0

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "period": self.period,
            "newest": self.newest,
            "dataset": self.dataset,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "days_behind": self.days_behind,
            "periods_behind": self.periods_behind,
            "is_stale": self.is_stale,
        }


def status(today: dt.date | None = None) -> list[FamilyStatus]:
    """Every family, with its newest loaded release (none: nothing loaded) and its lag."""
    today = today or dt.date.today()
    rows = []
    for fam in FAMILIES.values():
        found = newest_release(fam.key)
        if found is None:
            rows.append(FamilyStatus(fam.key, fam.label, fam.period, None, None, None, None, 0, 0))
            continue
        release, ends = found
        period = period_of(fam, release)
        rows.append(
            FamilyStatus(
                key=fam.key,
                label=fam.label,
                period=period,
                newest=release.version_label,
                dataset=release.dataset,
                effective_from=release.effective_from,
                effective_to=ends,
                days_behind=max((today - ends).days, 0),
                periods_behind=periods_after(period, ends, today),
            )
        )
    return rows

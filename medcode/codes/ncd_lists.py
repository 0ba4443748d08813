"""Reads of the NCD coding spreadsheet: which NCDs list a code, and how.

A CPT/HCPCS code is listed as a procedure the NCD applies to; an ICD-10-CM code with a
resolution (1 covered by Medicare, 2 denied, 3 does not support medical necessity). A code an
NCD does not list falls under that NCD's "all other codes" row (importers/ncd.ALL_OTHERS).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max

from medcode.codes import sql
from medcode.codes.catalog import ReleaseCatalog, derived, release_catalog
from medcode.codes.importers.ncd import ALL_OTHERS, RESOLUTIONS
from medcode.codes.models import NcdCodeListing, Release
from medcode.codes.page.panels import Source
from medcode.lib.in_force import within


@dataclass(frozen=True)
class NcdListing:
    ncd: str
    title: str
    system: str
    code: str
    effective_on: dt.date | None
    terminated_on: dt.date | None
    resolution: int | None
    source: Source

    @property
    def resolution_text(self) -> str:
        return RESOLUTIONS.get(self.resolution or 0, "")


@dataclass(frozen=True)
class NcdSummary:
    """What one NCD of the spreadsheet holds: titles, counts by resolution, the other codes."""

    ncd: str
    title: str
    procedures: tuple[str, ...]
    diagnoses_by_resolution: dict[int, int]
    all_others: int | None


def ncd_release(on: dt.date, catalog: ReleaseCatalog | None = None) -> Release | None:
    releases = (catalog or release_catalog()).in_force("ncd_codes", on)
    return releases[-1] if releases else None


def ncd_listings_for(
    code: str, on: dt.date, catalog: ReleaseCatalog | None = None
) -> tuple[NcdListing, ...]:
    """The spreadsheet rows naming `code` (CPT/HCPCS or ICD-10-CM, dots optional) on a date."""
    catalog = catalog or release_catalog()
    release = ncd_release(on, catalog)
    if release is None:
        return ()
    code = code.upper().replace(".", "")
    source = catalog.sources[release.pk]
    # Sorted here: an ORDER BY would make SQLite walk the (release, ncd) index instead.
    rows = sorted(
        sql.select(NcdCodeListing, _LISTINGS_SQL, [release.pk, code]), key=lambda r: (r[0], r[1])
    )
    return tuple(
        NcdListing(
            ncd=ncd,
            title=title,
            system=system,
            code=listed,
            effective_on=effective_on,
            terminated_on=terminated_on,
            resolution=resolution,
            source=source,
        )
        for ncd, _, title, system, listed, effective_on, terminated_on, resolution in rows
        if within(effective_on, terminated_on, on)
    )


# Written out (medcode.codes.sql): every ICD-10-CM and procedure page reads it. The first two
# columns are the sort order (ncd, line).
_LISTINGS_SQL = (
    'SELECT ncd, line, title, "system", code, effective_on, terminated_on, resolution'
    " FROM {table} WHERE release_id = %s AND code = %s"
)


def ncd_summaries(release: Release) -> dict[str, NcdSummary]:
    """Every NCD of a release with its counts, read once per release (aggregated in SQL)."""
    key = ("ncd_summaries", release.pk)
    cached = derived.get(key)
    if cached is None:
        rows = NcdCodeListing.objects.filter(release_id=release.pk)
        titles = dict(rows.values("ncd").annotate(first=Max("title")).values_list("ncd", "first"))
        procedures: dict[str, list[str]] = {}
        for ncd, code in rows.exclude(system="ICD10CM").order_by("line").values_list("ncd", "code"):
            procedures.setdefault(ncd, []).append(code)
        counts: dict[str, dict[int, int]] = {}
        listed = rows.filter(system="ICD10CM").exclude(code=ALL_OTHERS)
        for ncd, resolution, n in (
            listed.values("ncd", "resolution")
            .annotate(n=Count("pk"))
            .values_list("ncd", "resolution", "n")
        ):
            counts.setdefault(ncd, {})[resolution or 0] = n
        others = dict(rows.filter(code=ALL_OTHERS).values_list("ncd", "resolution"))
        cached = {
            ncd: NcdSummary(
                ncd=ncd,
                title=title or "",
                procedures=tuple(procedures.get(ncd, ())),
                diagnoses_by_resolution=counts.get(ncd, {}),
                all_others=others.get(ncd),
            )
            for ncd, title in titles.items()
        }
        derived[key] = cached
    return dict(cached)

"""Reads of the diagnosis GEMs: the ICD-9-CM codes an ICD-10-CM code maps to and from.

The GEMs are navigation aids between two code sets (CMS: "not a substitute for coding from
the ICD-10-CM index and tabular"), so every answer says which direction it comes from and
whether CMS flagged the match approximate.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from medcode.codes import sql
from medcode.codes.catalog import ReleaseCatalog, release_catalog
from medcode.codes.models import DiagnosisGem, Release
from medcode.codes.page.panels import Source

FORWARD = "icd10cm_gem_i10"  # ICD-10-CM -> ICD-9-CM
BACKWARD = "icd10cm_gem_i9"  # ICD-9-CM -> ICD-10-CM
NO_MAP = "NoDx"
# An ICD-9-CM diagnosis as typed: 250.00, 25000, V58.89, E849.0 (dot optional).
ICD9CM_QUERY = re.compile(r"^(?:\d{3}(?:\.?\d{1,2})?|V\d{2}(?:\.?\d{1,2})?|E\d{3}(?:\.?\d)?)$")


@dataclass(frozen=True)
class GemEntry:
    """One GEM row about an ICD-10-CM code."""

    icd10cm: str  # no dot
    icd9cm: str  # no dot; "" when the source has no equivalent (NoDx)
    direction: str  # FORWARD or BACKWARD
    approximate: bool
    no_map: bool
    combination: bool
    scenario: int
    choice_list: int
    source: Source


def icd9_display(code: str) -> str:
    """'25000' -> '250.00', 'V5889' -> 'V58.89', 'E8490' -> 'E849.0', '401' -> '401'."""
    head = 4 if code.startswith("E") else 3
    return code if len(code) <= head else f"{code[:head]}.{code[head:]}"


def _releases(on: dt.date, catalog: ReleaseCatalog) -> dict[str, Release]:
    return {r.dataset: r for r in catalog.in_force("diagnosis_gems", on)}


def older_codes_for(
    code: str, on: dt.date, catalog: ReleaseCatalog | None = None
) -> tuple[GemEntry, ...]:
    """The ICD-9-CM codes an ICD-10-CM code maps to (forward) and that map to it (backward)."""
    code = code.upper().replace(".", "")
    catalog = catalog or release_catalog()
    releases = _releases(on, catalog)
    sources = catalog.sources
    entries: list[GemEntry] = []
    for direction, column in ((FORWARD, "source"), (BACKWARD, "target")):
        release = releases.get(direction)
        if release is None:
            continue
        # Written out (medcode.codes.sql): the ORM's building cost more than running it.
        # The other side's code first; booleans as stored (0/1 on SQLite).
        other = "target" if column == "source" else "source"
        rows = sql.select(
            DiagnosisGem,
            f'SELECT "{other}", approximate, no_map, combination, scenario, choice_list'
            f' FROM {{table}} WHERE release_id = %s AND "{column}" = %s ORDER BY id',
            [release.pk, code],
        )
        for icd9, approximate, no_map, combination, scenario, choice_list in rows:
            entries.append(
                GemEntry(
                    icd10cm=code,
                    icd9cm="" if icd9 == NO_MAP else icd9,
                    direction=direction,
                    approximate=bool(approximate),
                    no_map=bool(no_map),
                    combination=bool(combination),
                    scenario=scenario,
                    choice_list=choice_list,
                    source=sources[release.pk],
                )
            )
    return tuple(entries)


def icd10cm_for_icd9(query: str, on: dt.date) -> tuple[GemEntry, ...]:
    """The ICD-10-CM codes the backward GEM maps an ICD-9-CM code (250.00 or 25000) to."""
    text = query.strip().upper()
    if not ICD9CM_QUERY.match(text):
        return ()
    code = text.replace(".", "")
    catalog = release_catalog()
    release = _releases(on, catalog).get(BACKWARD)
    if release is None:
        return ()
    source = catalog.sources[release.pk]
    return tuple(
        GemEntry(
            icd10cm=row.target,
            icd9cm=code,
            direction=BACKWARD,
            approximate=row.approximate,
            no_map=row.no_map,
            combination=row.combination,
            scenario=row.scenario,
            choice_list=row.choice_list,
            source=source,
        )
        for row in DiagnosisGem.objects.filter(release_id=release.pk, source=code)
        .exclude(target=NO_MAP)
        .order_by("pk")
    )


GEM_SEARCH_NOTICE = (
    "{icd9} is an ICD-9-CM code: CMS's {release} maps it to {targets}. Shown as a navigation "
    "aid, not coding advice: code from the ICD-10-CM index and tabular."
)


def gem_search_notice(entries: tuple[GemEntry, ...]) -> str:
    """The sentence search shows above ICD-10-CM codes it found through the backward GEM."""
    from medcode.codes.page.panels import display_icd10cm

    targets = ", ".join(
        display_icd10cm(e.icd10cm) + (" (approximate)" if e.approximate else "") for e in entries
    )
    return GEM_SEARCH_NOTICE.format(
        icd9=icd9_display(entries[0].icd9cm),
        release=entries[0].source.version_label,
        targets=targets,
    )

"""Code-page panels for the lists a code is on: diagnosis GEMs, the NCD spreadsheet, the MCE.

Pure builders (entries in, a Panel out) and `add_list_panels`, the one call page_data makes
for ICD-10-CM, ICD-10-PCS and CPT/HCPCS pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from medcode.codes import gems, mce, ncd_lists
from medcode.codes.catalog import ReleaseCatalog, release_catalog
from medcode.codes.importers.ncd import RESOLUTIONS
from medcode.codes.page.panels import Fact, Panel, Table

GEM_TITLE = "Older code(s) (ICD-9-CM)"
GEM_SUMMARY = (
    "A navigation aid, not coding advice: CMS's General Equivalence Mappings (2018, the last "
    "published) link this code to ICD-9-CM codes, for reading records and data coded before "
    "October 1, 2015. Code from the ICD-10-CM index and tabular, never from a mapping. "
    "'Approximate' is CMS's flag: the codes do not mean exactly the same."
)
MCE_SUMMARY = (
    "Medicare Code Editor lists naming this code, as CMS's Definitions of Medicare Code "
    "Edits word them (the MCE checks inpatient claims against these lists)."
)
NCD_SUMMARY_DX = (
    "National coverage determinations (mostly lab NCDs) whose coding spreadsheet lists this "
    "ICD-10-CM code, with the resolution CMS gives it for the NCD's procedure codes."
)
NCD_SUMMARY_PROCEDURE = (
    "National coverage determinations whose coding spreadsheet lists this code as one of "
    "the procedures they apply to, with how many ICD-10-CM codes each NCD resolves which way."
)


def _match(entry: gems.GemEntry) -> str:
    if entry.no_map:
        return "no ICD-9-CM equivalent"
    return "approximate" if entry.approximate else "identical meaning"


def _icd9(entry: gems.GemEntry) -> str:
    return gems.icd9_display(entry.icd9cm) if entry.icd9cm else "none"


def _combination(entry: gems.GemEntry) -> str:
    if not entry.combination:
        return ""
    return f"combination: scenario {entry.scenario}, choice list {entry.choice_list}"


def gem_panel(code_display: str, entries: Sequence[gems.GemEntry], as_of: dt.date) -> Panel | None:
    """The ICD-9-CM codes of both GEM directions, each labelled with its flags."""
    if not entries:
        return None
    forward = [e for e in entries if e.direction == gems.FORWARD]
    backward = [e for e in entries if e.direction == gems.BACKWARD]
    tables = []
    columns = ("ICD-9-CM", "Match (CMS flag)", "Combination")
    if forward:
        tables.append(
            Table(
                f"{code_display} maps to (ICD-10-CM to ICD-9-CM GEM, "
                f"{forward[0].source.title} {forward[0].source.version_label})",
                columns,
                tuple(
                    (
                        gems.icd9_display(e.icd9cm) if e.icd9cm else "none",
                        _match(e),
                        _combination(e),
                    )
                    for e in forward
                ),
            )
        )
    if backward:
        tables.append(
            Table(
                f"Mapped to {code_display} from (ICD-9-CM to ICD-10-CM GEM, "
                f"{backward[0].source.title} {backward[0].source.version_label})",
                columns,
                tuple((gems.icd9_display(e.icd9cm), _match(e), _combination(e)) for e in backward),
            )
        )
    older = sorted({gems.icd9_display(e.icd9cm) for e in entries if e.icd9cm})
    flagged = any(e.approximate for e in entries if e.icd9cm)
    facts = (
        Fact(
            "Older code(s)",
            ", ".join(older) or "none",
            "approximate (CMS flag)" if flagged else "",
        ),
    )
    return Panel(
        key="gem_icd9",
        title=GEM_TITLE,
        source=(forward or backward)[0].source,
        as_of=as_of,
        summary=GEM_SUMMARY,
        facts=facts,
        tables=tuple(tables),
    )


def mce_panel(edits: Sequence[mce.MceEdit], as_of: dt.date) -> Panel | None:
    if not edits:
        return None
    facts = tuple(
        Fact(
            edit.label,
            edit.list.edit,
            edit.list.condition if not edit.list.key.startswith("age_") else "",
        )
        for edit in edits
    )
    return Panel(
        key="mce",
        title="Medicare Code Editor (MCE) lists",
        source=edits[0].source,
        as_of=as_of,
        summary=MCE_SUMMARY,
        facts=facts,
    )


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def ncd_diagnosis_panel(
    listings: Sequence[ncd_lists.NcdListing],
    summaries: dict[str, ncd_lists.NcdSummary],
    as_of: dt.date,
) -> Panel | None:
    if not listings:
        return None
    rows = tuple(
        (
            item.ncd,
            item.title,
            item.resolution_text,
            ", ".join(summaries[item.ncd].procedures) if item.ncd in summaries else "",
            _day(item.effective_on),
            _day(item.terminated_on),
        )
        for item in listings
    )
    listed = {item.ncd for item in listings}
    others = [s for s in summaries.values() if s.ncd not in listed and s.all_others]
    by_resolution: dict[int, list[str]] = {}
    for summary in others:
        by_resolution.setdefault(summary.all_others or 0, []).append(summary.ncd)
    facts = tuple(
        Fact(
            "Other NCDs of the spreadsheet",
            f"{len(ncds)} NCD(s): {RESOLUTIONS.get(resolution, '')}",
            "they do not list this code, so their 'all other codes' row applies: "
            + ", ".join(sorted(ncds)),
        )
        for resolution, ncds in sorted(by_resolution.items())
    )
    return Panel(
        key="ncd_codes",
        title="NCD coding spreadsheet",
        source=listings[0].source,
        as_of=as_of,
        summary=NCD_SUMMARY_DX,
        facts=facts,
        tables=(
            Table(
                "NCDs listing this code",
                ("NCD", "Title", "Resolution", "Procedure codes", "Effective", "Terminated"),
                rows,
            ),
        ),
    )


def ncd_procedure_panel(
    listings: Sequence[ncd_lists.NcdListing],
    summaries: dict[str, ncd_lists.NcdSummary],
    as_of: dt.date,
) -> Panel | None:
    if not listings:
        return None
    rows = []
    for item in listings:
        summary = summaries.get(item.ncd)
        counts = summary.diagnoses_by_resolution if summary else {}
        others = RESOLUTIONS.get(summary.all_others or 0, "") if summary else ""
        rows.append(
            (
                item.ncd,
                item.title,
                ", ".join(f"{counts.get(r, 0):,} {text}" for r, text in RESOLUTIONS.items()),
                others,
                _day(item.effective_on),
                _day(item.terminated_on),
            )
        )
    return Panel(
        key="ncd_codes",
        title="NCD coding spreadsheet",
        source=listings[0].source,
        as_of=as_of,
        summary=NCD_SUMMARY_PROCEDURE,
        tables=(
            Table(
                "NCDs that apply to this code",
                (
                    "NCD",
                    "Title",
                    "ICD-10-CM codes listed",
                    "Codes not listed",
                    "Effective",
                    "Terminated",
                ),
                tuple(rows),
            ),
        ),
    )


def list_panels(
    system: str, code: str, display: str, on: dt.date, catalog: ReleaseCatalog | None = None
) -> list[Panel]:
    """The GEM, NCD and MCE panels of a code page (empty where the code is on no list).

    A list not loaded costs no query (the catalog says which are).
    """
    catalog = catalog or release_catalog()
    found: list[Panel | None] = []
    if system in {"ICD10CM", "ICD10PCS"} and catalog.with_table("mce_codes"):
        found.append(mce_panel(mce.mce_edits_for(code, on, catalog), on))
    if system in {"ICD10CM", "CPT", "HCPCS"} and catalog.with_table("ncd_codes"):
        listings = ncd_lists.ncd_listings_for(code, on, catalog)
        release = ncd_lists.ncd_release(on, catalog)
        summaries = ncd_lists.ncd_summaries(release) if listings and release else {}
        builder = ncd_diagnosis_panel if system == "ICD10CM" else ncd_procedure_panel
        found.append(builder(listings, summaries, on))
    if system == "ICD10CM" and catalog.with_table("diagnosis_gems"):
        found.append(gem_panel(display, gems.older_codes_for(code, on, catalog), on))
    return [panel for panel in found if panel is not None]

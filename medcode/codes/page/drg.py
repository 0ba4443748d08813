"""MS-DRG facts on ICD-10-CM and ICD-10-PCS code pages, as far as the data supports them.

The definitions are drgpy's (PyPI, the grouper of rules/drg.py): its runtime tables are parsed
from CMS's ICD-10 MS-DRG Definitions Manual (Appendix A: DRG list; Appendix C: CC/MCC levels,
PDX exclusion collections, "CC/MCC only if alive", DRG-specific severity exclusions; Appendix E
and the MDC logic: O.R. procedures and the DRGs whose definitions name a code). They are not
CMS's grouper software, and docs/msdrg-grouping.md lists the differences found. The weights
come from the loaded IPPS Table 5, in a panel of their own, so each figure cites its source.

The version is the one in force on the page's date (v43 from 2025-10-01, v43.1 from
2026-04-01); a later date gets drgpy's latest version with a notice that it has ended.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from medcode.codes import sql
from medcode.codes.catalog import ReleaseCatalog, release_catalog
from medcode.codes.models import ReferenceRow, Release, SeverityDesignation
from medcode.codes.page.panels import Fact, Panel, Source, Table, display_icd10cm, source_of
from medcode.rules.drg import (
    RIGHT_HIP_LABEL,
    _engine,
    drgpy_release,
    grouper_version,
    last_covered,
)

LEVELS = {
    "MCC": "Major complication or comorbidity: as a secondary diagnosis it can move the stay "
    "to the MS-DRG with MCC.",
    "CC": "Complication or comorbidity: as a secondary diagnosis it can move the stay to the "
    "MS-DRG with CC (or with CC/MCC).",
    "": "Not on the CC or MCC list: as a secondary diagnosis it does not raise the severity level.",
}
BASIS = (
    "drgpy's tables are parsed from CMS's ICD-10 MS-DRG Definitions Manual; they are not CMS's "
    "grouper software (see About the data, MS-DRG grouping)."
)
ENDED = (
    "No MS-DRG version for {on} is shipped: drgpy {release} ends with {version}, for "
    "discharges through {last}. Shown: {version}, which may differ from the version in force."
)
TABLE_DISAGREES = (
    "The loaded IPPS Table {table} lists this code as {level}, but drgpy's {version} tables "
    "do not: its grouping does not count it (a known difference, see About the data)."
)
WEIGHTS_ENDED = (
    "This Table 5 applies to discharges through {last}; none for {on} is loaded. Shown for "
    "reference."
)
SEVERITY_TABLES = {"MCC": "6I", "CC": "6J"}
SEX_MDCS = {"12": "male", "13": "female"}  # male / female reproductive system
ROW_CAP = 40
HEADING_CAP = 100
RIGHT_HIP_HEADING = (
    "RIGHT HIP, a site for bilateral or multiple joint procedures (drgpy's copy of this list "
    "never pairs it: see About the data, MS-DRG grouping)"
)


def _version(on: dt.date) -> tuple[str, str]:
    """(version in force or drgpy's latest, notice when it has ended before `on`)."""
    from drgpy._versions import LATEST_VERSION

    found = grouper_version(on)
    if found is not None:
        return found, ""
    if on < dt.date(2018, 10, 1):
        return "", ""
    latest = str(LATEST_VERSION.name)
    notice = ENDED.format(
        on=on.isoformat(),
        release=drgpy_release(),
        version=latest,
        last=last_covered().isoformat(),
    )
    return latest, notice


def definitions_level(code: str, on: dt.date) -> str:
    """'CC' or 'MCC' when the MS-DRG version for `on` (drgpy's tables) grades the code, else ''."""
    version, _ = _version(on)
    info = _engine(version).ccmap.get(code) if version else None
    return str(info["level"]) if info else ""


@cache
def _source(version: str) -> Source:
    from drgpy._versions import VERSION_BY_NAME

    info = VERSION_BY_NAME[version]
    following = [v for v in VERSION_BY_NAME.values() if v > info]
    ends = (
        following[0].effective_date - dt.timedelta(days=1)
        if following
        else last_covered(int(info.major))
    )
    release = drgpy_release()
    title = "CMS ICD-10 MS-DRG Definitions Manual tables, as parsed by drgpy"
    return Source(
        dataset="msdrg_definitions",
        title=title,
        version_label=f"MS-DRG {version} (drgpy {release})",
        source_file=f"drgpy {release} runtime_data/{version}.json.xz",
        effective_from=info.effective_date,
        effective_to=ends,
        citation=f"{title} MS-DRG {version} (drgpy {release}, runtime_data/{version}.json.xz)",
    )


def _drg_span(family: str) -> tuple[str, ...]:
    """'291&292&293' -> ('291', '292', '293')."""
    return tuple(d for d in family.split("&") if d)


def _drg_rows(engine: Any, labels: list[str]) -> list[tuple[str, ...]]:
    """(MS-DRG, MDC, title, list heading) per DRG named in `labels` ('291&292|PDX')."""
    rows: dict[tuple[str, str], tuple[str, ...]] = {}
    for label in labels:
        family, _, rest = label.partition("|")
        if not rest or family.startswith("_"):
            continue
        heading, _, others = rest.partition("|")
        if RIGHT_HIP_LABEL in heading:  # drgpy merged the manual's note into the site label
            heading = RIGHT_HIP_HEADING
        elif len(heading) > HEADING_CAP:
            heading = heading[: HEADING_CAP - 1].rstrip() + "…"
        if others:  # a multi-procedure condition: the other codes are required too
            heading = f"{heading} (with {others.replace('|', ', ')})"
        for drg in _drg_span(family):
            info = engine.drgmap.get(drg, {})
            mdc = str(info.get("mdc") or "") or "—"  # Appendix A gives none (pre-MDC, 981-999)
            rows.setdefault((drg, heading), (drg, mdc, str(info.get("desc", "")), heading))
    return sorted(rows.values(), key=lambda r: r[0])[:ROW_CAP]


def diagnosis_panels(code: str, on: dt.date, catalog: ReleaseCatalog | None = None) -> list[Panel]:
    """The MS-DRG definitions panel of an ICD-10-CM code (no dot), and its Table 5 weights."""
    version, notice = _version(on)
    if not version:
        return []
    engine = _engine(version)
    labels = engine.dxmap.get(code)
    info = engine.ccmap.get(code)
    if not labels and info is None:
        return []  # not in the version's tables (not a valid code then): say nothing
    level = str(info["level"]) if info else ""
    # drgpy and the loaded Tables 6I/6J agree on every level both hold; drgpy lacks 41 codes.
    listed = _listed_severity(code, on, catalog) if info is None else ""
    if listed:
        facts = [
            Fact(
                "As a secondary diagnosis",
                f"{listed} (IPPS Table {SEVERITY_TABLES[listed]})",
                f"{LEVELS[listed]} drgpy's tables lack it, so its grouping does not count it.",
            )
        ]
    else:
        facts = [Fact("As a secondary diagnosis", level or "Neither CC nor MCC", LEVELS[level])]
    if info is not None:
        excluded = engine.exmap.get(info["pdx"], set())
        itself = " (this code among them)" if code in excluded else ""
        facts.append(
            Fact(
                "CC exclusion (Appendix C)",
                f"PDX collection {info['pdx']}",
                f"Not counted as {'an' if level == 'MCC' else 'a'} {level} when the principal "
                f"diagnosis is one of the collection's {len(excluded):,} codes{itself}.",
            )
        )
        if info.get("aowa"):
            facts.append(
                Fact(
                    "Only if discharged alive",
                    "Yes",
                    f"Counted as {level} only when the patient is discharged alive "
                    "(Appendix C Part 2).",
                )
            )
        if info.get("hac"):
            facts.append(
                Fact(
                    "Hospital-acquired condition",
                    f"HAC category {info['hac']}",
                    "Not counted as a CC/MCC when reported not present on admission (POA N "
                    "or U) and the category's conditions are met; some categories apply only "
                    "with particular procedures. drgpy's copy of Appendix C gives one category "
                    "a code; a code can belong to more than one (the surgical site infection "
                    "codes, for example).",
                )
            )
        by_drg = sorted(d for d, codes in engine.drg_exclusions.items() if code in codes)
        if by_drg:
            facts.append(
                Fact(
                    "Excluded as CC/MCC in",
                    ", ".join(f"MS-DRG {d}" for d in by_drg),
                    "DRG-specific severity exclusions (Appendix C Part 3).",
                )
            )
    facts.extend(_mdc_facts(labels or ()))
    summary = BASIS
    if listed:
        summary = TABLE_DISAGREES.format(
            table=SEVERITY_TABLES[listed],
            level=f"{'an' if listed == 'MCC' else 'a'} {listed}",
            version=version,
        ) + (" " + BASIS)
    if info is not None:
        excluded = sorted(engine.exmap.get(info["pdx"], set()))
        shown = ", ".join(display_icd10cm(c) for c in excluded[:ROW_CAP])
        more = f" and {len(excluded) - ROW_CAP:,} more" if len(excluded) > ROW_CAP else ""
        summary += (
            f" Principal diagnoses that exclude it (collection {info['pdx']}): {shown}{more}."
        )
    rows = _drg_rows(engine, list(labels or ()))
    tables = (
        (
            Table(
                f"MS-DRGs whose definitions list {display_icd10cm(code)}",
                (
                    "MS-DRG",
                    "MDC",
                    "Title (Appendix A)",
                    "List heading (PDX principal, SDX secondary)",
                ),
                tuple(rows),
            ),
        )
        if rows
        else ()
    )
    panel = Panel(
        key="msdrg_definitions",
        title=f"MS-DRG {version} definitions",
        source=_source(version),
        as_of=on,
        summary=summary,
        facts=tuple(facts),
        tables=tables,
        stale=notice,
    )
    return [panel, *_weights_panels([r[0] for r in rows], on, catalog)]


def _mdc_facts(labels: Any) -> list[Fact]:
    """The MDC(s) whose principal diagnosis lists name the code (MDC 25 only when alone: it
    needs HIV). MDC 12 and 13 are by sex in the definitions (drgpy: _MALE / _FEMALE)."""
    mdcs = sorted({x[4:] for x in labels if x.startswith("_MDC") and x[4:].isdigit()})
    if len(mdcs) > 1 and "25" in mdcs:
        mdcs.remove("25")
    if len(mdcs) == 1:
        return [Fact("MDC as principal diagnosis", f"MDC {mdcs[0]}")]
    if not mdcs:
        return []
    meaning = "Listed under each of these MDCs"
    by_sex = [f"MDC {m}: {SEX_MDCS[m]}" for m in mdcs if m in SEX_MDCS]
    if by_sex:
        meaning += f"; the patient's sex decides ({', '.join(by_sex)} patients)"
    return [
        Fact("MDCs as principal diagnosis", " or ".join(f"MDC {m}" for m in mdcs), meaning + ".")
    ]


def procedure_panels(code: str, on: dt.date, catalog: ReleaseCatalog | None = None) -> list[Panel]:
    """The MS-DRG definitions panel of an ICD-10-PCS code, and its Table 5 weights."""
    if len(code) != 7:
        return []
    version, notice = _version(on)
    if not version:
        return []
    engine = _engine(version)
    labels = list(engine.prmap.get(code) or ())
    is_or = code in engine.orpcsmap
    if is_or and code in engine.neoormap:
        value = "Yes: non-extensive O.R. procedure"
        meaning = (
            "On the non-extensive O.R. list: when a stay's O.R. procedures are all unrelated to "
            "the principal diagnosis's MDC and all non-extensive, it groups to MS-DRGs 987-989 "
            "(with an extensive one: 981-983)."
        )
    elif is_or:
        value = "Yes"
        meaning = "An O.R. procedure (Appendix E, not marked non-O.R.)."
    elif labels:
        value = "No: non-O.R., affects the MS-DRG"
        meaning = "Not an O.R. procedure, but the definitions of the MS-DRGs below name it."
    else:
        value = "No: non-O.R."
        meaning = (
            f"Not an O.R. procedure, and no MS-DRG {version} definition names it: it does not "
            "change the MS-DRG."
        )
    rows = _drg_rows(engine, labels)
    mdcs = sorted({r[1] for r in rows if r[1][:1].isdigit()})
    facts = [Fact("O.R. procedure", value, meaning)]
    if mdcs:
        facts.append(Fact("MDCs whose MS-DRGs name it", ", ".join(f"MDC {m}" for m in mdcs)))
    panel = Panel(
        key="msdrg_definitions",
        title=f"MS-DRG {version} definitions",
        source=_source(version),
        as_of=on,
        summary=BASIS,
        facts=tuple(facts),
        tables=(
            (
                Table(
                    f"MS-DRGs whose definitions list {code}",
                    ("MS-DRG", "MDC", "Title (Appendix A)", "List heading"),
                    tuple(rows),
                ),
            )
            if rows
            else ()
        ),
        stale=notice,
    )
    return [panel, *_weights_panels([r[0] for r in rows], on, catalog)]


def _covering(
    on: dt.date, table: str, catalog: ReleaseCatalog | None
) -> tuple[Release | None, str]:
    """The release of `table` in force on `on`, or the newest earlier one with a notice."""
    releases = (catalog or release_catalog()).in_force(table, on)
    if not releases:
        return None, ""
    release = releases[-1]
    if release.effective_from > on:
        return None, ""
    if release.effective_to is not None and on > release.effective_to:
        return release, WEIGHTS_ENDED.format(
            last=release.effective_to.isoformat(), on=on.isoformat()
        )
    return release, ""


def _listed_severity(code: str, on: dt.date, catalog: ReleaseCatalog | None) -> str:
    release, _ = _covering(on, "severities", catalog)
    if release is None:
        return ""
    return severity_listed(release, code)


def severity_listed(release: Release, code: str) -> str:
    """The CC/MCC designation `release` lists for a code ("" if none). Written out
    (medcode.codes.sql): the ORM's building cost more than running it, twice a page."""
    found = sql.select(
        SeverityDesignation,
        "SELECT severity FROM {table} WHERE release_id = %s AND code = %s ORDER BY id LIMIT 1",
        [release.pk, code],
    )
    return str(found[0][0] or "") if found else ""


def _weights_panels(drgs: list[str], on: dt.date, catalog: ReleaseCatalog | None) -> list[Panel]:
    """IPPS Table 5 rows of the named MS-DRGs (the loaded release covering `on`)."""
    wanted = sorted(set(drgs))
    if not wanted:
        return []
    release, notice = _covering(on, "drg_weights", catalog)
    if release is None:
        return []
    found = {
        key: sql.json_value(data)
        for key, data in sql.select(
            ReferenceRow,
            'SELECT "key", data FROM {table}'
            f' WHERE release_id = %s AND "key" IN ({sql.places(len(wanted))})',
            [release.pk, *wanted],
        )
    }
    rows = tuple(
        (
            drg,
            str(found[drg].get("type", "")),
            _number(found[drg].get("weight_10pct_cap"), 4),
            _number(found[drg].get("geometric_mean_los"), 1),
            _number(found[drg].get("arithmetic_mean_los"), 1),
        )
        for drg in wanted
        if drg in found
    )
    if not rows:
        return []
    return [
        Panel(
            key="msdrg_weights",
            title="MS-DRG relative weights (IPPS Table 5)",
            source=source_of(release),
            as_of=on,
            summary="The weights of the MS-DRGs named above: the relative weight after the 10% "
            "cap on reductions, and the geometric and arithmetic mean lengths of stay.",
            tables=(
                Table(
                    "Table 5 rows",
                    ("MS-DRG", "Type", "Relative weight", "Geometric mean LOS", "Mean LOS"),
                    rows,
                ),
            ),
            stale=notice,
        )
    ]


def _number(value: object, places: int) -> str:
    if value is None or value == "":
        return ""
    return f"{float(str(value)):.{places}f}"


__all__ = ["diagnosis_panels", "procedure_panels"]

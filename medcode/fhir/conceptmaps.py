"""ConceptMap/$translate over CMS's General Equivalence Mappings as the code store keeps them:
the diagnosis GEMs (read through `medcode.codes.gems`, both directions) and the
ICD-9-CM procedure to ICD-10-PCS GEM (reference rows of the icd10pcs_gem dataset).

Each match carries the GEM's flags as parts (approximate, noMap, combination, scenario,
choiceList) and an R4 equivalence: `unmatched` for a no-map row, `inexact` for an
approximate one, else `equivalent`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from medcode.codes import gems
from medcode.codes.catalog import release_catalog
from medcode.codes.models import Code, ReferenceRow, Release
from medcode.fhir.codesystems import coded_input
from medcode.fhir.errors import FhirError, bad_request, not_found
from medcode.fhir.params import Params, parameters
from medcode.fhir.systems import BY_URI, parse_date

ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
GEM_BASE = "http://www.cms.gov/Medicare/Coding/ICD10/GEMs"


@dataclass(frozen=True)
class GemMap:
    id: str
    url: str
    title: str
    source: str
    target: str
    dataset: str


MAPS = (
    GemMap(
        "icd9cm-to-icd10cm",
        f"{GEM_BASE}/I9gem",
        "ICD-9-CM to ICD-10-CM diagnosis GEM",
        ICD9CM,
        ICD10CM,
        gems.BACKWARD,
    ),
    GemMap(
        "icd10cm-to-icd9cm",
        f"{GEM_BASE}/I10gem",
        "ICD-10-CM to ICD-9-CM diagnosis GEM",
        ICD10CM,
        ICD9CM,
        gems.FORWARD,
    ),
    GemMap(
        "icd9cm-to-icd10pcs",
        f"{GEM_BASE}/gem_i9pcs",
        "ICD-9-CM to ICD-10-PCS procedure GEM",
        ICD9CM,
        ICD10PCS,
        "icd10pcs_gem",
    ),
)

NO_GEM = (
    "No GEM release is loaded for {what}: import the CMS GEM files "
    "(medcode data import) to translate."
)
NO_MAP_FOR = "No GEM maps {source} to {target}; this server has: {maps}."
TRANSLATE_NEEDS = "$translate needs a code and its system (or a coding), or a ConceptMap url."
UNKNOWN_MAP = "No ConceptMap {value!r}; this server has: {maps}."


def _maps_text() -> str:
    return "; ".join(f"{m.url} ({m.source} -> {m.target})" for m in MAPS)


def conceptmap_resource(gem: GemMap, release: Release | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "ConceptMap",
        "id": gem.id,
        "url": gem.url,
        "name": gem.id.replace("-", "_"),
        "title": gem.title,
        "status": "active" if release is not None else "draft",
        "publisher": "Centers for Medicare & Medicaid Services",
        "description": (
            f"{gem.title}, {release.version_label} ({release.source_file})"
            if release is not None
            else f"{gem.title}: not loaded on this server"
        ),
        "sourceUri": gem.source,
        "targetUri": gem.target,
    }
    if release is not None:
        resource["version"] = release.version_label
    return resource


def gem_release(gem: GemMap) -> Release | None:
    found = [r for r in release_catalog().releases if r.dataset == gem.dataset]
    return found[-1] if found else None


def read_conceptmap(map_id: str) -> dict[str, Any]:
    for gem in MAPS:
        if gem.id == map_id:
            return conceptmap_resource(gem, gem_release(gem))
    raise not_found(UNKNOWN_MAP.format(value=map_id, maps=_maps_text()))


def search_conceptmaps() -> list[dict[str, Any]]:
    return [conceptmap_resource(gem, gem_release(gem)) for gem in MAPS]


def translate(params: Params) -> dict[str, Any]:
    code, source, _ = coded_input(params)
    url = params.first("url") or params.first("conceptMap")
    target = params.first("targetsystem") or params.first("target")
    if not code:
        raise bad_request(TRANSLATE_NEEDS)
    if params.first("reverse") == "true" and source:
        source, target = target, source
    chosen = _choose_maps(url, source, target)
    loaded = [(gem, gem_release(gem)) for gem in chosen]
    if all(release is None for _, release in loaded):
        what = " and ".join(gem.title for gem in chosen)
        raise FhirError(404, NO_GEM.format(what=what), code="not-found")
    on = parse_date(params.first("date")) or dt.date.today()
    matches: list[dict[str, Any]] = []
    for gem, release in loaded:
        if release is not None:
            matches += _matches(gem, release, code, on)
    shown = code.strip().upper()
    if matches:
        message = f"{shown}: {len(matches)} GEM row(s)."
    else:
        message = f"{shown} has no row in the loaded GEM release(s)."
    out: list[dict[str, Any]] = [
        {"name": "result", "valueBoolean": any(_is_match(m) for m in matches)},
        {"name": "message", "valueString": message},
    ]
    out += [{"name": "match", "part": m["part"]} for m in matches]
    return parameters(out)


def _is_match(match: dict[str, Any]) -> bool:
    return any(p.get("valueCode") not in (None, "unmatched") for p in match["part"][:1])


def _choose_maps(url: str | None, source: str | None, target: str | None) -> list[GemMap]:
    if url:
        found = [m for m in MAPS if url in (m.url, m.id) or url.endswith(f"/ConceptMap/{m.id}")]
        if not found:
            raise not_found(UNKNOWN_MAP.format(value=url, maps=_maps_text()))
        return found
    if not source:
        raise bad_request(TRANSLATE_NEEDS)
    found = [m for m in MAPS if m.source == source and (not target or m.target == target)]
    if not found:
        raise not_found(NO_MAP_FOR.format(source=source, target=target or "any", maps=_maps_text()))
    return found


def _matches(gem: GemMap, release: Release, code: str, on: dt.date) -> list[dict[str, Any]]:
    key = code.strip().upper().replace(".", "")
    rows: list[tuple[str, bool, bool, bool, int, int]]
    if gem.dataset == "icd10pcs_gem":
        rows = []
        for data in ReferenceRow.objects.filter(release_id=release.pk, key=key).values_list(
            "data", flat=True
        ):
            rows.append(
                (
                    str(data.get("icd10_pcs", "")),
                    bool(data.get("approximate")),
                    bool(data.get("no_map")),
                    bool(data.get("combination")),
                    int(data.get("scenario") or 0),
                    int(data.get("choice_list") or 0),
                )
            )
    else:
        # The code store's own GEM reads (medcode.codes.gems), one per direction.
        if gem.dataset == gems.BACKWARD:
            entries = list(gems.icd10cm_for_icd9(code, on))
            targets = [e.icd10cm for e in entries]
        else:
            entries = [e for e in gems.older_codes_for(key, on) if e.direction == gems.FORWARD]
            targets = [e.icd9cm for e in entries]
        rows = [
            (t, e.approximate, e.no_map, e.combination, e.scenario, e.choice_list)
            for t, e in zip(targets, entries, strict=True)
        ]
    displays = _displays(gem.target, [r[0] for r in rows if not r[2]])
    out = []
    for target, approximate, no_map, combination, scenario, choice_list in rows:
        equivalence = "unmatched" if no_map else "inexact" if approximate else "equivalent"
        parts: list[dict[str, Any]] = [{"name": "equivalence", "valueCode": equivalence}]
        if not no_map:
            shown, display = displays.get(target, (_dot(gem.target, target), ""))
            coding: dict[str, Any] = {"system": gem.target, "code": shown}
            if display:
                coding["display"] = display
            parts.append({"name": "concept", "valueCoding": coding})
        parts += [
            {"name": "source", "valueUri": gem.url},
            {"name": "approximate", "valueBoolean": approximate},
            {"name": "noMap", "valueBoolean": no_map},
            {"name": "combination", "valueBoolean": combination},
            {"name": "scenario", "valueInteger": scenario},
            {"name": "choiceList", "valueInteger": choice_list},
        ]
        out.append({"part": parts})
    return out


def _displays(target: str, codes: list[str]) -> dict[str, tuple[str, str]]:
    """Printed form and description of ICD-10 targets, from their newest loaded release."""
    system = BY_URI.get(target)
    if system is None or not codes:
        return {}
    order = {r.pk: i for i, r in enumerate(release_catalog().releases)}
    best: dict[str, tuple[int, str, str]] = {}
    for code, display, long, short, release_id in Code.objects.filter(
        system=system.key, code__in=codes
    ).values_list("code", "display", "long_description", "short_description", "release_id"):
        rank = order.get(release_id, -1)
        if code not in best or rank > best[code][0]:
            best[code] = (rank, display, long or short)
    return {code: (display, text) for code, (_, display, text) in best.items()}


def _dot(system: str, code: str) -> str:
    """ICD-9-CM prints a dot after 3 characters (4 for E codes); ICD-10-CM after 3."""
    if system == ICD9CM:
        return gems.icd9_display(code)
    if system == ICD10CM and len(code) > 3:
        return f"{code[:3]}.{code[3:]}"
    return code

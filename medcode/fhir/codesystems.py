"""CodeSystem: one resource per system and kept release, and $lookup, $validate-code and
$subsumes answered from the code page query (`medcode.codes.queries.lookup_code`), so a
FHIR client, the page and /api/v1 see the same status on the same date of service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from medcode.codes.catalog import release_catalog
from medcode.codes.models import Code, Release
from medcode.codes.queries import CodePage, MalformedCode, lookup_code
from medcode.fhir.errors import bad_request, not_found
from medcode.fhir.params import Params, parameters
from medcode.fhir.systems import (
    BY_SLUG,
    SYSTEMS,
    Chosen,
    FhirSystem,
    NoReleaseForDate,
    choose_release,
    dotted,
    parse_date,
    releases_of,
    system_for,
)
from medcode.ops import datacache

VALID_STATES = frozenset({"active", "added", "revised"})

NOT_IN_SYSTEM = "{code} is not a code of {title} in any loaded release."
NOT_YET_VALID = "{code} is not yet valid on {date}: {detail}"
DELETED = "{code} is not valid on {date}: {label}. {detail}"
VALID_ON = "{code} is valid on {date} ({release})."
NOT_BILLABLE = " It is a heading, not billable: report a more specific code."
WRONG_DISPLAY = "The display {given!r} is not a display of {code}; it is {expected!r}."
NO_CODE = "The parameter 'code' (or 'coding') is required."
UNKNOWN_CODESYSTEM = "No CodeSystem with id {id!r}: ids are <system>-<release number>, e.g. {e}."
SUBSUMES_NEEDS = "$subsumes needs codeA and codeB (or codingA and codingB) and the system."


# ---------------------------------------------------------------- resources


def resource_id(system: FhirSystem, release: Release) -> str:
    return f"{system.slug}-{release.pk}"


def codesystem_resource(system: FhirSystem, release: Release) -> dict[str, Any]:
    window = release.effective_from.isoformat() + (
        f" to {release.effective_to.isoformat()}" if release.effective_to else " onwards"
    )
    properties = [
        _property_def("parent", "code", "The code's parent in the hierarchy"),
        _property_def("child", "code", "A code directly below it"),
        _property_def("notSelectable", "boolean", "A heading: not billable on a claim"),
        _property_def("status", "code", "active, added, revised, deleted, not_yet_valid"),
        _property_def("inactive", "boolean", "Not valid on the date asked about"),
        _property_def("effectiveFrom", "dateTime", "First day of the release used"),
        _property_def("effectiveTo", "dateTime", "Last day of the release used"),
    ]
    resource: dict[str, Any] = {
        "resourceType": "CodeSystem",
        "id": resource_id(system, release),
        "url": system.uri,
        "version": release.version_label,
        "name": system.name,
        "title": system.title,
        "status": "active",
        "experimental": False,
        "date": release.effective_from.isoformat(),
        "publisher": system.publisher,
        "description": (
            f"{release.citation}, in effect {window}; read from {release.source_file}."
        ),
        "caseSensitive": False,
        "valueSet": f"{system.uri}?fhir_vs",
        "content": "not-present",
        "count": int(release.row_counts.get("codes", 0)),
        "property": properties,
    }
    if system.is_hierarchical:
        resource["hierarchyMeaning"] = "is-a"
    return resource


def _property_def(code: str, kind: str, description: str) -> dict[str, str]:
    return {"code": code, "type": kind, "description": description}


def read_codesystem(resource_id_text: str) -> dict[str, Any]:
    slug, _, number = resource_id_text.rpartition("-")
    system = BY_SLUG.get(slug)
    if system is not None and number.isdigit():
        for release in releases_of(system):
            if release.pk == int(number):
                return codesystem_resource(system, release)
    example = f"{SYSTEMS[0].slug}-7"
    raise not_found(UNKNOWN_CODESYSTEM.format(id=resource_id_text, e=example))


def search_codesystems(params: Params) -> list[dict[str, Any]]:
    """CodeSystem?url=&version=&name=&title= (exact matches; title: contains)."""
    url = params.first("url") or params.first("system")
    version = params.first("version")
    name = (params.first("name") or "").lower()
    title = (params.first("title") or "").lower()
    found = []
    for system in SYSTEMS:
        if url and system.uri != url.split("|", 1)[0]:
            continue
        if name and system.name.lower() != name:
            continue
        if title and title not in system.title.lower():
            continue
        for release in releases_of(system):
            if version and release.version_label != version:
                continue
            found.append(codesystem_resource(system, release))
    return found


# ---------------------------------------------------------------- one code on one date


@dataclass(frozen=True)
class Concept:
    system: FhirSystem
    code: str  # as asked, normalised (upper case, dotted when the system prints dots)
    chosen: Chosen
    page: CodePage | None


def find_concept(
    system: FhirSystem, code: str, *, on: dt.date | None, version: str | None
) -> Concept:
    """The code page of `code` on the date (or in the version) asked about, or none."""
    chosen = choose_release(system, on=on, version=version)
    try:
        for key in (system.key, *system.extra_keys):
            page = lookup_code(code, system=key, on=chosen.on).page
            if page is not None and page.system == key:
                return Concept(system, page.display, chosen, page)
    except MalformedCode as exc:
        raise bad_request(f"{code!r}: {exc}") from None
    return Concept(system, code.strip().upper(), chosen, None)


def coded_input(
    params: Params, *, coding_name: str = "coding"
) -> tuple[str, str | None, str | None]:
    """(code, system URI, display) from code/system/display or a Coding/CodeableConcept."""
    coding = params.first_coding(coding_name)
    if coding is None:
        concept = params.first_concept("codeableConcept")
        if concept:
            coding = concept[0]
    if coding is not None:
        return str(coding.get("code") or ""), coding.get("system"), coding.get("display")
    return params.first("code") or "", params.first("system"), params.first("display")


def lookup(params: Params) -> dict[str, Any]:
    code, uri, _ = coded_input(params)
    if not code:
        raise bad_request(NO_CODE)
    system = system_for(uri)
    concept = find_concept(
        system, code, on=parse_date(params.first("date")), version=params.first("version")
    )
    page = concept.page
    if page is None:
        raise not_found(NOT_IN_SYSTEM.format(code=code, title=system.title))
    out: list[dict[str, Any]] = [
        {"name": "name", "valueString": system.title},
        {"name": "version", "valueString": _version_of(concept)},
        {"name": "display", "valueString": page.title},
    ]
    short, _ = _descriptions(page)
    if short and short != page.title:
        out.append(
            {
                "name": "designation",
                "part": [
                    {"name": "language", "valueCode": "en"},
                    {
                        "name": "use",
                        "valueCoding": {
                            "system": "http://terminology.hl7.org/CodeSystem/designation-usage",
                            "code": "display",
                            "display": "short description",
                        },
                    },
                    {"name": "value", "valueString": short},
                ],
            }
        )
    for key, value in _properties(concept):
        out.append({"name": "property", "part": [{"name": "code", "valueCode": key}, value]})
    return parameters(out)


def _version_of(concept: Concept) -> str:
    source = concept.page.release if concept.page is not None else None
    return source.version_label if source is not None else concept.chosen.release.version_label


def _descriptions(page: CodePage) -> tuple[str, str]:
    """(short, long) description of the page's code in the release it was read from; kept
    in the data cache until the next import."""
    source = page.release
    if source is None:
        return "", ""
    return _release_descriptions(source.dataset, source.version_label, page.code)


@datacache.cached("fhir-descriptions")
def _release_descriptions(dataset: str, version_label: str, code: str) -> tuple[str, str]:
    found = ("", "")
    for release in release_catalog().releases:
        if release.dataset == dataset and release.version_label == version_label:
            # No ORDER BY: the (release, code) unique index answers it in one seek.
            rows = Code.objects.filter(release_id=release.pk, code=code).order_by()
            found = next(iter(rows.values_list("short_description", "long_description")[:1]), found)
    return found


def _properties(concept: Concept) -> list[tuple[str, dict[str, Any]]]:
    page = concept.page
    assert page is not None
    props: list[tuple[str, dict[str, Any]]] = []
    for group in page.related:
        if group.key == "parent":
            props += [("parent", {"name": "value", "valueCode": c.code}) for c in group.codes]
        elif group.key == "children":
            props += [("child", {"name": "value", "valueCode": c.code}) for c in group.codes]
    if page.is_billable is not None:
        props.append(("notSelectable", {"name": "value", "valueBoolean": not page.is_billable}))
    props.append(("status", {"name": "value", "valueCode": page.status.state}))
    props.append(
        ("inactive", {"name": "value", "valueBoolean": page.status.state not in VALID_STATES})
    )
    source = page.release
    if source is not None:
        props.append(
            ("effectiveFrom", {"name": "value", "valueDateTime": source.effective_from.isoformat()})
        )
        if source.effective_to is not None:
            props.append(
                ("effectiveTo", {"name": "value", "valueDateTime": source.effective_to.isoformat()})
            )
    for fact in page.dates:
        if fact.label in {"Added", "Terminated"}:
            key = "added" if fact.label == "Added" else "terminated"
            props.append((key, {"name": "value", "valueDateTime": fact.value}))
    return props


# ---------------------------------------------------------------- $validate-code


@dataclass(frozen=True)
class Verdict:
    result: bool
    message: str
    display: str = ""
    version: str = ""
    code: str = ""


def judge(
    system: FhirSystem,
    code: str,
    *,
    on: dt.date | None,
    version: str | None,
    display: str | None = None,
) -> Verdict:
    """Whether `code` is a valid code of the system on the date: never true for a code the
    loaded releases do not hold; the message says why (not yet valid, deleted, no release)."""
    try:
        concept = find_concept(system, code, on=on, version=version)
    except NoReleaseForDate as exc:
        return Verdict(False, exc.diagnostics, code=code)
    page = concept.page
    day = concept.chosen.on.isoformat()
    if page is None:
        return Verdict(
            False,
            NOT_IN_SYSTEM.format(code=code, title=system.title),
            version=concept.chosen.release.version_label,
            code=code,
        )
    state = page.status
    shown = page.display
    label = _version_of(concept)
    if state.state == "not_yet_valid":
        detail = state.detail.split(": ", 1)[-1]
        message = NOT_YET_VALID.format(code=shown, date=day, detail=detail)
        return Verdict(False, message, page.title, label, shown)
    if state.state not in VALID_STATES:
        message = DELETED.format(code=shown, date=day, label=state.label, detail=state.detail)
        return Verdict(False, message.rstrip(), page.title, label, shown)
    message = VALID_ON.format(code=shown, date=day, release=label)
    if page.is_billable is False:
        message += NOT_BILLABLE
    if page.date_notice:
        message += " " + page.date_notice
    if display and not _display_matches(display, page):
        wrong = WRONG_DISPLAY.format(given=display, code=shown, expected=page.title)
        return Verdict(False, wrong, page.title, label, shown)
    return Verdict(True, message, page.title, label, shown)


def _display_matches(display: str, page: CodePage) -> bool:
    wanted = " ".join(display.lower().split())
    names = {page.title}
    names |= set(_descriptions(page))
    return any(wanted == " ".join(n.lower().split()) for n in names if n)


def verdict_parameters(verdict: Verdict, system: FhirSystem) -> dict[str, Any]:
    out: list[dict[str, Any]] = [
        {"name": "result", "valueBoolean": verdict.result},
        {"name": "message", "valueString": verdict.message},
    ]
    if verdict.display:
        out.append({"name": "display", "valueString": verdict.display})
    if verdict.code:
        out.append({"name": "code", "valueCode": verdict.code})
    out.append({"name": "system", "valueUri": system.uri})
    if verdict.version:
        out.append({"name": "version", "valueString": verdict.version})
    return parameters(out)


def validate_code(params: Params) -> dict[str, Any]:
    code, uri, display = coded_input(params)
    if not code:
        raise bad_request(NO_CODE)
    system = system_for(uri or params.first("url"))
    verdict = judge(
        system,
        code,
        on=parse_date(params.first("date")),
        version=params.first("version"),
        display=display,
    )
    return verdict_parameters(verdict, system)


# ---------------------------------------------------------------- $subsumes


def subsumes(params: Params) -> dict[str, Any]:
    coding_a, coding_b = params.first_coding("codingA"), params.first_coding("codingB")
    code_a = str(coding_a.get("code")) if coding_a else params.first("codeA") or ""
    code_b = str(coding_b.get("code")) if coding_b else params.first("codeB") or ""
    uri = params.first("system") or (coding_a or {}).get("system") or (coding_b or {}).get("system")
    if not code_a or not code_b:
        raise bad_request(SUBSUMES_NEEDS)
    system = system_for(uri)
    on, version = parse_date(params.first("date")), params.first("version")
    found = []
    for code in (code_a, code_b):
        concept = find_concept(system, code, on=on, version=version)
        if concept.page is None:
            raise not_found(NOT_IN_SYSTEM.format(code=code, title=system.title))
        found.append(concept.page.code)
    a, b = found
    if a == b:
        outcome = "equivalent"
    elif system.is_hierarchical and b.startswith(a):
        outcome = "subsumes"
    elif system.is_hierarchical and a.startswith(b):
        outcome = "subsumed-by"
    else:
        outcome = "not-subsumed"
    return parameters([{"name": "outcome", "valueCode": outcome}])


__all__ = ["dotted", "judge", "lookup", "subsumes", "validate_code"]

"""ValueSet/$expand and ValueSet/$validate-code on implicit value sets: `<system>?fhir_vs`
(every code of the release in force) and `<system>?fhir_vs=isa/<code>` (the code and the
codes below it).

With `filter`, codes come in Case2Code's order: the search box's own ranking
(`medcode.search.facade.search`, at most its 100 results) first, then the rest of its lexical
ranking (`facade.search_words`) as deep as the page asked for, so paging has no 500-code
ceiling. The ranked list is kept in the data cache until the next import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from django.utils import timezone

from medcode.codes.models import Code
from medcode.fhir.codesystems import Verdict, coded_input, judge, verdict_parameters
from medcode.fhir.errors import bad_request, not_found
from medcode.fhir.params import Params
from medcode.fhir.systems import (
    Chosen,
    FhirSystem,
    choose_release,
    dotted,
    parse_date,
    system_for,
)
from medcode.ops import datacache
from medcode.search import facade
from medcode.search.backends import get_backend
from medcode.search.models import Document
from medcode.search.querytext import parse_query

DEFAULT_COUNT = 100
MAX_COUNT = 1000
# How deep a filtered ranking is followed; tiers keep the cached rankings few.
DEPTHS = (1000, 5000, 20000)

NOT_IMPLICIT = (
    "Only implicit value sets are expanded here: url must be '<code system URI>?fhir_vs' or "
    "'<code system URI>?fhir_vs=isa/<code>'; got {url!r}."
)
NO_URL = "The parameter 'url' naming the value set is required (e.g. {example})."
COUNT_TOO_BIG = "count may be at most {maximum} per page; page on with offset."
TOO_DEEP = "A filtered expansion pages at most {depth:,} codes deep; narrow the filter."
UNKNOWN_ROOT = "{code} is not a code of {title} in {version}, so it has no descendants."
OTHER_SYSTEM = "{code} from {given} is not in {url}: that value set holds {uri} codes only."


@dataclass(frozen=True)
class Implicit:
    url: str
    system: FhirSystem
    root: str  # "" for the whole system; else the isa code, upper case, no dot


def implicit(url: str | None) -> Implicit:
    value = (url or "").strip()
    if not value:
        raise bad_request(NO_URL.format(example="http://hl7.org/fhir/sid/icd-10-cm?fhir_vs"))
    base, mark, query = value.partition("?")
    if not mark or not (query == "fhir_vs" or query.startswith("fhir_vs=isa/")):
        raise bad_request(NOT_IMPLICIT.format(url=value))
    system = system_for(base)
    root = query.removeprefix("fhir_vs").removeprefix("=isa/").replace(".", "").upper()
    return Implicit(value, system, root)


@dataclass(frozen=True)
class Item:
    code: str  # as printed
    display: str
    abstract: bool


def expand(params: Params) -> dict[str, Any]:
    vs = implicit(params.first("url"))
    count = params.number("count", default=DEFAULT_COUNT)
    offset = params.number("offset", default=0)
    if count > MAX_COUNT:
        raise bad_request(COUNT_TOO_BIG.format(maximum=MAX_COUNT))
    version = params.first("system-version") or params.first("version")
    if version and "|" in version:
        version = version.split("|", 1)[1]
    chosen = choose_release(vs.system, on=parse_date(params.first("date")), version=version)
    if vs.root and not Code.objects.filter(release_id=chosen.release.pk, code=vs.root).exists():
        raise not_found(
            UNKNOWN_ROOT.format(
                code=dotted(vs.system, vs.root),
                title=vs.system.title,
                version=chosen.release.version_label,
            )
        )
    text = (params.first("filter") or "").strip()
    total: int | None
    if text:
        items, total = _filtered(vs, chosen, text, offset + count)
        page = items[offset : offset + count]
    else:
        page, total = _listed(vs, chosen, offset, count)
    expansion: dict[str, Any] = {
        "identifier": f"urn:uuid:{uuid4()}",
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "offset": offset,
        "parameter": [
            {"name": "version", "valueUri": f"{vs.system.uri}|{chosen.release.version_label}"},
            {"name": "date", "valueDateTime": chosen.on.isoformat()},
            {"name": "count", "valueInteger": count},
            {"name": "offset", "valueInteger": offset},
        ],
    }
    if text:
        expansion["parameter"].append({"name": "filter", "valueString": text})
    if total is not None:
        expansion["total"] = total
    if page:
        expansion["contains"] = [_contains(vs.system, chosen, item) for item in page]
    return {
        "resourceType": "ValueSet",
        "url": vs.url,
        "status": "active",
        "expansion": expansion,
    }


def _contains(system: FhirSystem, chosen: Chosen, item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "system": system.uri,
        "version": chosen.release.version_label,
        "code": item.code,
        "display": item.display,
    }
    if item.abstract:
        entry["abstract"] = True
    return entry


def _listed(vs: Implicit, chosen: Chosen, offset: int, count: int) -> tuple[list[Item], int]:
    rows = Code.objects.filter(release_id=chosen.release.pk, system=vs.system.key)
    if vs.root:
        rows = rows.filter(code__startswith=vs.root)
    total = rows.count()
    found = rows.order_by("code").values_list(
        "display", "long_description", "short_description", "is_billable"
    )[offset : offset + count]
    return [Item(d, long or short, not billable) for d, long, short, billable in found], total


def _filtered(
    vs: Implicit, chosen: Chosen, text: str, needed: int
) -> tuple[list[Item], int | None]:
    depth = next((d for d in DEPTHS if d >= needed + 1), 0)
    if not depth:
        raise bad_request(TOO_DEEP.format(depth=DEPTHS[-1]))
    args = (vs.system.key, vs.root, text, chosen.release.pk, chosen.on, depth)
    items, exhausted = datacache.get_or_build(
        "fhir_expand", args, lambda: _ranked(vs, chosen, text, depth)
    )
    return items, (len(items) if exhausted else None)


def _ranked(vs: Implicit, chosen: Chosen, text: str, depth: int) -> tuple[list[Item], bool]:
    """Codes of the chosen release matching `text`, best first; and whether that is all."""
    system = vs.system.key
    try:
        head = facade.search(text, system=system, on=chosen.on, limit=facade.MAX_LIMIT).results
    except facade.SearchInputError as exc:
        raise bad_request(str(exc)) from None
    order: dict[str, str] = {r.code: r.title for r in head if r.system == system}
    words = list(parse_query(text).words)
    exhausted = True
    if words:
        filters = facade.make_filters(system=system, billable=None, on=chosen.on)
        fused = facade.search_words(words, filters, depth=depth).hits
        # The fused ranking stops at the fusion depth; every document with all the words (or
        # their lay synonyms) follows in the backend's own bm25 order.
        every = get_backend().search_words(
            facade.word_groups(words),
            prefix_last=False,
            operator="AND",
            filters=filters,
            limit=depth,
        )
        exhausted = len(every) < depth
        hits = [h.document_id for h in (*fused, *every)]
        documents = Document.objects.only("system", "code", "title").in_bulk(hits)
        for doc_id in hits:
            doc = documents.get(doc_id)
            if doc is not None and doc.system == system:
                order.setdefault(doc.code, doc.title)
    codes = [c for c in order if c.startswith(vs.root)]
    rows = {
        code: (display, not billable)
        for code, display, billable in Code.objects.filter(
            release_id=chosen.release.pk, system=system, code__in=codes
        ).values_list("code", "display", "is_billable")
    }
    items = [Item(rows[c][0], order[c], rows[c][1]) for c in codes if c in rows]
    return items, exhausted


def validate_in_valueset(params: Params) -> dict[str, Any]:
    vs = implicit(params.first("url") or params.first("context"))
    code, uri, display = coded_input(params)
    if not code:
        raise bad_request("The parameter 'code' (or 'coding') is required.")
    on = parse_date(params.first("date"))
    version = params.first("systemVersion") or params.first("version")
    if uri and system_for(uri) is not vs.system:
        message = OTHER_SYSTEM.format(code=code, given=uri, url=vs.url, uri=vs.system.uri)
        return verdict_parameters(Verdict(False, message, code=code), vs.system)
    verdict = judge(vs.system, code, on=on, version=version, display=display)
    if verdict.result and vs.root and not verdict.code.replace(".", "").startswith(vs.root):
        root = dotted(vs.system, vs.root)
        message = f"{verdict.code} is a valid {vs.system.title} code but not {root} or below it."
        verdict = Verdict(False, message, verdict.display, verdict.version, verdict.code)
    return verdict_parameters(verdict, vs.system)

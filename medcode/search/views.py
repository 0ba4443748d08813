"""The search page, its autocomplete fragment, case mode and the hierarchy pages.

Each view parses the request, calls one function of facade.py or browse.py and renders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_safe

from medcode.codes import cpt_ranges
from medcode.ops import conditional, datacache
from medcode.search import browse
from medcode.search.cached import search, suggest
from medcode.search.facade import (
    MAX_NOTE_CHARS,
    SYSTEM_LABELS,
    SearchInputError,
    search_note,
)

BAD_DATE = "The date must be YYYY-MM-DD, for example 2025-10-01."
# A pasted note in the search box: this long and several sentences or many words.
NOTE_MIN_CHARS = 160
SYSTEM_CHOICES = [("", "All code sets"), *SYSTEM_LABELS.items()]


def _form(request: HttpRequest) -> dict[str, Any]:
    """The search form's values as typed (for re-display), and the parsed filters."""
    data = request.GET if request.method == "GET" else request.POST
    form = {
        "q": data.get("q", ""),
        "system": data.get("system", ""),
        "billable": data.get("billable", "") in {"1", "on", "true"},
        "date": data.get("date", ""),
        "note": data.get("note", ""),
    }
    return form


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SearchInputError(BAD_DATE) from None


def looks_like_a_note(q: str) -> bool:
    return len(q) >= NOTE_MIN_CHARS and (q.count(". ") >= 2 or len(q.split()) >= 30)


# Stands for the time taken in a rendered page, so a cached page tells this request's time.
ELAPSED = "__medcode_elapsed_ms__"


@require_safe
def search_page(request: HttpRequest) -> HttpResponseBase:
    started = time.perf_counter()
    htmx = bool(request.headers.get("HX-Request"))
    if request.user.is_authenticated or len(messages.get_messages(request)) > 0:
        status, html = _render_search(request, htmx)
    else:
        # A guest's page depends only on the URL: rendered once per data generation.
        key = (request.get_full_path(), htmx, request.get_host(), request.scheme)
        status, html = datacache.get_or_build(
            "search_page", key, lambda: _render_search(request, htmx)
        )
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    response = HttpResponse(html.replace(ELAPSED, str(elapsed)), status=status)
    return validated(request, response)


def _render_search(request: HttpRequest, htmx: bool) -> tuple[int, str]:
    form = _form(request)
    context: dict[str, Any] = {"form": form, "systems": SYSTEM_CHOICES, "max_note": MAX_NOTE_CHARS}
    status = 200
    if form["q"].strip():
        try:
            on = _date(form["date"])
            if looks_like_a_note(form["q"]):
                note = search_note(form["q"], system=form["system"] or "icd10cm", on=on)
                context["note"] = dataclasses.replace(note, elapsed_ms=ELAPSED)  # type: ignore[arg-type]
            else:
                found = search(
                    form["q"],
                    system=form["system"] or None,
                    billable=True if form["billable"] else None,
                    on=on,
                )
                context["found"] = dataclasses.replace(found, elapsed_ms=ELAPSED)  # type: ignore[arg-type]
                if form["system"] in {"", "cpt", "CPT"}:
                    context["cpt"] = cpt_words(form["q"])
        except SearchInputError as exc:
            context["error"] = str(exc)
            status = 400
    template = "search/_results.html" if htmx else "search/search.html"
    return status, render_to_string(template, context, request)


def cpt_words(q: str) -> dict[str, Any]:
    """CPT ranges named by the query's words, and whether CPT words can be searched at all."""
    from medcode.codes.models import LicensedDescriptor

    return {
        "ranges": cpt_ranges.matching(q),
        "has_descriptors": LicensedDescriptor.objects.exists(),
    }


def validated(request: HttpRequest, response: HttpResponse) -> HttpResponseBase:
    """ETag (from the query, the data generation and the viewer's kind) and Last-Modified.

    Results are the same for everyone; the layout differs for signed-in users, and a page
    showing one-off messages gets no validators.
    """
    if len(messages.get_messages(request)) > 0:
        return response
    signed_in = request.user.is_authenticated
    etag = conditional.input_etag(request, f"user:{request.user.pk}" if signed_in else "guest")
    modified = conditional.last_modified(as_of_today=False)
    return conditional.validate(request, response, etag=etag, modified=modified, personal=signed_in)


@require_http_methods(["GET", "POST"])
def note_page(request: HttpRequest) -> HttpResponse:
    """Case mode: a note pasted into the textarea (POST, so it may be 20,000 characters)."""
    form = _form(request)
    context: dict[str, Any] = {"form": form, "systems": SYSTEM_CHOICES, "max_note": MAX_NOTE_CHARS}
    status = 200
    if request.method == "POST":
        try:
            context["note"] = search_note(
                form["note"], system=form["system"] or "icd10cm", on=_date(form["date"])
            )
        except SearchInputError as exc:
            context["error"] = str(exc)
            status = 400
    return render(request, "search/note.html", context, status=status)


@require_safe
def suggest_fragment(request: HttpRequest) -> HttpResponse:
    """The autocomplete list for the box on every page (an HTML fragment of options)."""
    q = request.GET.get("q", "")
    found = suggest(q) if q.strip() and len(q) <= 200 else None
    response = render(request, "search/_suggest.html", {"found": found, "q": q})
    response["Cache-Control"] = "private, max-age=60"
    return response


# ---------------------------------------------------------------- hierarchy pages


@require_safe
def browse_index(request: HttpRequest) -> HttpResponse:
    context = {
        "chapters": browse.icd10cm_chapters(),
        "hcpcs": browse.hcpcs_groups(),
        "cpt": browse.cpt_sections(),
    }
    return render(request, "search/browse.html", context)


@require_safe
def browse_chapter(request: HttpRequest, chapter: str) -> HttpResponse:
    head, sections = browse.icd10cm_sections(chapter)
    if head is None:
        raise Http404("No such ICD-10-CM chapter")
    return render(request, "search/browse_chapter.html", {"chapter": head, "sections": sections})


@require_safe
def browse_section(request: HttpRequest, code_range: str) -> HttpResponse:
    section, categories = browse.icd10cm_section(code_range)
    if section is None:
        raise Http404("No such ICD-10-CM section")
    context = {"group": section, "entries": categories, "system": "ICD10CM"}
    return render(request, "search/browse_list.html", context)


@require_safe
def browse_hcpcs(request: HttpRequest, letter: str) -> HttpResponse:
    group, entries, has_more = browse.hcpcs_group(letter, page=_page(request))
    if group is None:
        raise Http404("No such HCPCS letter group")
    context = {"group": group, "entries": entries, "has_more": has_more, "page": _page(request)}
    return render(request, "search/browse_list.html", context)


@require_safe
def browse_cpt(request: HttpRequest, key: str) -> HttpResponse:
    group, entries, has_more = browse.cpt_section(key, page=_page(request))
    if group is None:
        raise Http404("No such CPT section")
    context = {"group": group, "entries": entries, "has_more": has_more, "page": _page(request)}
    return render(request, "search/browse_list.html", context)


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1

"""Code pages: parse the request, call `queries.lookup_code`, render.

A page answers `?date=YYYY-MM-DD` (date of service, default today) and `?system=` (one code
set when the code exists in several). htmx requests (the date-of-service switch) get only
the page body; everything else gets the full page.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from html import escape
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponsePermanentRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from medcode.accounts.gate import (
    EDITORIAL_GROUP,
    METERING_OFF,
    NOTHING_GATED,
    GateDecision,
    can_see_gated,
    has_gated_content,
)
from medcode.codes import queries
from medcode.codes.models import CodeSystem
from medcode.codes.page import cache as page_cache
from medcode.codes.page import compare, partners, payment
from medcode.codes.page import dmepos as dmepos_fee
from medcode.codes.page import locality as locality_choice
from medcode.codes.templatetags.code_links import detail_prefix
from medcode.codes.templatetags.code_sections import actions_section
from medcode.lib.codeshapes import PROCEDURE_CODE
from medcode.ops import conditional, generation
from medcode.ops.templatetags.site_paths import path_with

EXAMPLE_CODES = ("63650", "S72.001A", "E0114", "0SR90J9", "50", "59", "XS")


def code_url(display: str, *, system: str = "", on: dt.date | None = None) -> str:
    query = {}
    if system:
        query["system"] = system
    if on is not None:
        query["date"] = on.isoformat()
    path = path_with("codes:detail", display)
    return f"{path}?{urlencode(query)}" if query else path


class Found:
    """Where a typed code leads on a date, for the page and its JSON twin: from this process's
    targets (medcode.codes.page.cache.Target), else from a lookup, kept as a target when it
    names one page. A kept page, or the redirect to it, is answered without looking the code
    up again; `lookup()` reads the page data, once, only to render.

    Raises queries.MalformedCode and queries.UnknownSystem like queries.lookup_code."""

    def __init__(self, typed: str, system: str | None, on: dt.date) -> None:
        self._asked = (typed, system, on)
        self._found: queries.Lookup | None = None
        # None: the code names no one page (lookup() says why: choices or nearest codes).
        self.target = page_cache.target(typed, system, on)
        if self.target is None:
            found = self.lookup()
            if found.page is not None:
                self.target = page_cache.Target.of(found, gated=has_gated_content(found.page))
                page_cache.keep_target(typed, system, on, self.target)

    def lookup(self) -> queries.Lookup:
        if self._found is None:
            typed, system, on = self._asked
            self._found = queries.lookup_code(typed, system=system, on=on)
        return self._found


@require_safe
def code_detail(request: HttpRequest, code: str) -> HttpResponseBase:
    data = generation.current().token  # for the ETag: before anything is read (input_etag)
    try:
        on = queries.parse_service_date(request.GET.get("date"), today=timezone.localdate())
    except queries.BadDate as exc:
        return _bad_request(request, str(exc))
    explicit_date = on if request.GET.get("date") else None
    try:
        compare_on = (
            queries.parse_service_date(request.GET["compare"], today=on)
            if request.GET.get("compare")
            else None
        )
    except queries.BadDate as exc:
        return _bad_request(request, f"compare: {exc}")
    asked_system = request.GET.get("system") or None
    try:
        found = Found(code, asked_system, on)
    except queries.MalformedCode as exc:
        return _bad_request(request, str(exc))
    except queries.UnknownSystem as exc:
        return _bad_request(request, str(exc))
    target = found.target
    if target is None:
        return _no_page(request, found.lookup(), explicit_date)
    if code != target.display:
        return HttpResponsePermanentRedirect(
            code_url(
                target.display,
                system=request.GET.get("system", "") if target.needs_system else "",
                on=explicit_date,
            )
        )
    gate = (
        can_see_gated(request, target.system, target.code)
        if target.gated or not settings.MEDCODE_METERING
        else GateDecision(visible=True, reason=NOTHING_GATED)  # nothing to meter
    )
    # ?locality= wins (empty: national); else the visitor's remembered one (account or session).
    asked = request.GET.get("locality")
    locality = (locality_choice.remembered(request) if asked is None else asked).strip()[:80]
    is_htmx = bool(request.headers.get("HX-Request"))

    def render_parts() -> Body:
        page = found.lookup()
        return render_body(request, page, gate.visible, explicit_date, compare_on, locality)

    # The parts of a guest's page are the same for every guest: rendered once per data
    # generation (medcode.codes.page.cache), the key holding all else they depend on. The
    # layout around them (a pending message, the htmx body or the whole page) is not in them.
    viewer = request.user
    if (
        not viewer.is_authenticated
        and not locality
        and set(request.GET) <= {"date", "system", "compare"}
    ):
        key = (
            target.text,
            request.GET.get("system") or "",
            on,
            explicit_date,
            compare_on,
            gate.visible,
            request.get_host(),
            request.scheme,
        )
        kept = page_cache.rendered("code-page", key, lambda: render_parts().encoded())
        parts = Body.decoded(kept.parts)
    else:
        parts = render_parts()
    # The layout shows pending messages; an htmx body does not, and leaves them for the next page.
    storage = messages.get_messages(request)
    pending = [] if is_htmx or not len(storage) else [f"{m.tags}:{m}" for m in storage]
    notice = gate_notice(gate)
    body = page_body(target, on, parts, notice, functools.partial(get_token, request))
    if is_htmx:
        response = HttpResponse(body)
    else:
        context = {**parts.layout(), "body": mark_safe(body)}  # HTML, built by page_body
        response = HttpResponse(render_to_string("codes/detail.html", context, request))
    patch_vary_headers(response, ("HX-Request",))
    # The ETag digests what the page is made of (conditional.input_etag: the data generation,
    # medcode's files, the URL and htmx or not), what else the parts' key holds, the locality,
    # the viewer, the messages, the gate's notice and the CSRF secret, read once the form has
    # asked for its token: any masking of one secret is equally valid, and a visitor given a new
    # secret is given a new page.
    secret = str(request.META.get("CSRF_COOKIE", ""))
    etag = conditional.input_etag(
        request,
        on.isoformat(),
        str(gate.visible),
        request.get_host(),
        request.scheme or "",
        locality,
        f"user:{viewer.pk}" if viewer.is_authenticated else "guest",
        secret,
        notice,
        *pending,
        data=data,
    )
    # Same for everyone only with metering off, for a guest with no pending message and no
    # remembered locality (one in the URL is the URL's) who already holds a CSRF cookie.
    remembered = asked is None and bool(locality)
    personal = is_htmx or viewer.is_authenticated or bool(pending) or remembered
    shared = gate.reason == METERING_OFF and not personal and secret == csrf_cookie(request)
    return conditional.validate(
        request,
        response,
        etag=etag,
        modified=conditional.last_modified(as_of_today=explicit_date is None),
        personal=not shared,
    )


def _no_page(
    request: HttpRequest, found: queries.Lookup, explicit_date: dt.date | None
) -> HttpResponse:
    """The choice between code sets, or the nearest codes (404), for a code with no one page."""
    if found.choices:
        return render(
            request,
            "codes/choose.html",
            {
                "text": found.text,
                "choices": [
                    (ref, code_url(ref.display, system=ref.system, on=explicit_date))
                    for ref in found.choices
                ],
            },
        )
    return render(
        request,
        "codes/not_found.html",
        {
            "text": found.text,
            "nearest": [(ref, code_url(ref.display, on=explicit_date)) for ref in found.nearest],
        },
        status=404,
    )


def csrf_cookie(request: HttpRequest) -> str:
    return request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")


def gate_notice(gate: GateDecision) -> str:
    """The gate's word to this visitor: pages left, or why the gated part is not shown."""
    if gate.visible:
        if not gate.message:
            return ""
        link = (
            format_html(' <a href="{}">{}</a>', gate.action_url, gate.action_label)
            if gate.action_url
            else ""
        )
        return str(
            format_html(
                '<p class="notice notice--info gate-notice" role="status">{}{}</p>',
                gate.message,
                link,
            )
        )
    return str(
        format_html(
            '<section class="locked" aria-labelledby="locked-h"><h2 id="locked-h">'
            "Documentation, billing, modifiers and FAQ</h2>"
            "<p>{}</p>{}</section>",
            gate.message,
            gate_actions(gate),
        )
    )


def gate_actions(gate: GateDecision) -> SafeString:
    """The locked box's ways on: register or sign in (guests), or see the plans."""
    plans = reverse("accounts:plans")
    if gate.is_guest:
        signin = f"{reverse('account_login')}?{urlencode({'next': gate_next(gate)})}"
        buttons = [
            (gate.action_url, REGISTER_BUTTON, "button button--primary"),
            (signin, SIGN_IN_BUTTON, "button"),
            (plans, PLANS_BUTTON, "button button--quiet"),
        ]
    elif gate.reason == "crawler" or not gate.action_url:
        return SafeString("")
    else:
        buttons = [
            (plans, UPGRADE_BUTTON, "button button--primary"),
            (gate.action_url, gate.action_label, "button"),
        ]
    items = format_html_join(
        "", '<a class="{}" href="{}">{}</a>', ((c, u, t) for u, t, c in buttons)
    )
    return format_html('<p class="locked__actions">{}</p>', items)


def gate_next(gate: GateDecision) -> str:
    """The page to come back to, from the register link's ?next= (a local path)."""
    from urllib.parse import parse_qs, urlsplit

    target = parse_qs(urlsplit(gate.action_url).query).get("next", ["/"])[0]
    return target if target.startswith("/") and not target.startswith("//") else "/"


REGISTER_BUTTON = "Register free"
SIGN_IN_BUTTON = "Sign in"
PLANS_BUTTON = "See plans"
UPGRADE_BUTTON = "Upgrade your plan"


class Body(NamedTuple):
    """What `render_body` renders of a code page, the same for every guest (HTML): the head's
    strings for the layout, and the body's sections before and from the gate's notice."""

    title: str
    description: str
    canonical: str
    api_url: str
    json_ld: str
    before_gate: str
    from_gate: str

    def encoded(self) -> tuple[bytes, ...]:
        return tuple(part.encode() for part in self)

    @classmethod
    def decoded(cls, parts: tuple[bytes, ...]) -> Body:
        return cls(*(part.decode() for part in parts))

    def layout(self) -> dict[str, SafeString]:
        """The head's strings, as codes/detail.html takes them (HTML)."""
        return {name: mark_safe(getattr(self, name)) for name in HEAD}


HEAD = ("title", "description", "canonical", "api_url", "json_ld")  # Body's fields for the layout


def page_body(
    target: page_cache.Target, on: dt.date, parts: Body, notice: str, csrf_token: Callable[[], str]
) -> str:
    """A code page's body (the htmx answer; the layout's content): its kept parts, the gate's
    notice to this visitor and the actions, whose form holds this request's CSRF token. Built
    in Python, as the sections are (medcode.codes.templatetags.code_sections), for each
    request."""
    return (
        f'<article id="code-page-body" class="code-page" data-system="{escape(target.system)}"'
        f' data-code="{escape(target.code)}" data-date="{on.isoformat()}">'
        f"{parts.before_gate}{notice}{parts.from_gate}"
        f"{actions_section(target, on, parts.api_url, csrf_token)}\n</article>\n"
    )  # the parts and the notice are HTML; every other value is escaped here


def render_body(
    request: HttpRequest,
    found: queries.Lookup,
    gate_visible: bool,
    explicit_date: dt.date | None,
    compare_on: dt.date | None = None,
    locality: str = "",
) -> Body:
    from medcode.changes.history import code_history

    page = found.page
    assert page is not None
    if locality:  # such a page is never kept (see code_detail)
        page = payment.with_locality(page, locality)
    state = request.GET.get("state", "").strip()[:20]
    if state or locality:  # the DMEPOS fee in a state (a locality implies its state)
        rural = request.GET.get("rural", "").strip().lower() in {"1", "true", "yes", "on"}
        page = dmepos_fee.with_state_or_locality(page, state, locality, rural)
    # Codes are letters, digits and dots: safe in a path, so links are built from one prefix.
    prefix = detail_prefix()
    canonical = request.build_absolute_uri(
        code_url(page.display, system=page.system if found.needs_system else "")
    )
    twin = path_with("api:code_detail", page.display) + (
        f"?{urlencode({'date': explicit_date.isoformat()})}" if explicit_date else ""
    )
    context = {
        "page": page,
        "gate": {"visible": gate_visible},
        "date_query": f"?date={explicit_date.isoformat()}" if explicit_date else "",
        "system_param": page.system if found.needs_system else "",
        "api_url": twin,
        "code_prefix": prefix,
        "related_links": [
            (group, links)
            for group, links in _related_links(page, prefix, explicit_date)
            if gate_visible or group.key != EDITORIAL_GROUP
        ],
        "also": [
            (ref, code_url(ref.display, system=ref.system, on=explicit_date)) for ref in page.also
        ],
        # Stored at import: one indexed query, kept with the body until the next import.
        "history": code_history(page.code, page.system),
        "comparison": _comparison(page, found, compare_on),
        "locality_picker": locality_choice.picker(page, locality),
    }
    return Body(
        title=conditional_escape(
            f"{page.display} – {Truncator(page.title).chars(70)} | {page.system_label} | medcode"
        ),
        description=conditional_escape(
            f"{page.system_label} code {page.display}: {Truncator(page.title).chars(140)}"
        ),
        canonical=conditional_escape(canonical),
        api_url=conditional_escape(twin),
        json_ld=json_ld(page, canonical),
        before_gate=render_to_string("codes/_body_before_gate.html", context, request=request),
        from_gate=render_to_string("codes/_body_from_gate.html", context, request=request),
    )


def _comparison(
    page: queries.CodePage, found: queries.Lookup, compare_on: dt.date | None
) -> compare.Comparison | None:
    """`?compare=` beside `?date=`: the same code's page for the other date, side by side."""
    if compare_on is None:
        return None
    other = queries.lookup_code(page.display, system=page.system, on=compare_on).page
    return compare.compare_pages(page, other) if other is not None else None


def _related_links(
    page: queries.CodePage, prefix: str, on: dt.date | None
) -> list[tuple[Any, list[tuple[Any, str]]]]:
    query = f"?date={on.isoformat()}" if on else ""
    return [
        (group, [(c, f"{prefix}{c.code}/{query}") for c in group.codes]) for group in page.related
    ]


def json_ld(page: queries.CodePage, canonical: str) -> SafeString:
    """schema.org MedicalCode, escaped for a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalCode",
        "codeValue": page.display,
        "codingSystem": page.system_label,
        "name": page.title,
        "url": canonical,
    }
    if page.official.text:
        data["description"] = page.official.text
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # every <, > and & is escaped above


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "codes/bad_request.html", {"message": message}, status=400)


@require_safe
def ncci_partners(request: HttpRequest, code: str) -> HttpResponse:
    """All of a code's NCCI PTP partners, paged and filtered, and a "check this pair" box."""
    code = code.strip().upper()
    if not PROCEDURE_CODE.match(code):
        return _bad_request(request, PARTNERS_BAD_CODE.format(code=code))
    try:
        on = queries.parse_service_date(request.GET.get("date"), today=timezone.localdate())
    except queries.BadDate as exc:
        return _bad_request(request, str(exc))
    catalog = queries.release_catalog()
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    found = partners.partner_page(
        catalog,
        code,
        on,
        table=request.GET.get("table", ""),
        role=request.GET.get("role", "column1"),
        indicator=request.GET.get("indicator", ""),
        page=page,
    )
    pair = request.GET.get("pair", "").strip().upper()[:5]
    answers = partners.check_pair(catalog, code, pair, on) if pair else None
    query = {k: v for k, v in request.GET.items() if k in {"date", "table", "role", "indicator"}}
    return render(
        request,
        "codes/partners.html",
        {
            "found": found,
            "on": on,
            "title": partners.titles_for([code], on, catalog).get(code, ""),
            "roles": partners.ROLES,
            "meanings": partners.INDICATOR_MEANINGS,
            "pair": pair,
            "answers": answers,
            "query": urlencode(query),
            "date_query": f"?date={request.GET['date']}" if request.GET.get("date") else "",
        },
    )


PARTNERS_BAD_CODE = "{code!r} is not a CPT or HCPCS code: NCCI edits pair procedure codes."


@require_safe
def code_index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "codes/index.html", {"systems": loaded_systems(), "examples": EXAMPLE_CODES}
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "codes/home.html", {"systems": loaded_systems(), "examples": EXAMPLE_CODES}
    )


@require_safe
def about_data(request: HttpRequest) -> HttpResponse:
    return render(request, "codes/about_data.html", {"systems": loaded_systems()})


def loaded_systems() -> list[dict[str, Any]]:
    """Each code set with its current releases and code count (for the home and index pages)."""
    catalog = queries.release_catalog()
    labels = dict(CodeSystem.choices)
    systems: dict[str, dict[str, Any]] = {}
    for release in catalog.releases:
        if "codes" not in release.row_counts or not release.is_current:
            continue
        entry = systems.setdefault(
            release.code_system,
            {
                "system": release.code_system,
                "label": labels.get(release.code_system, release.code_system),
                "releases": [],
                "codes": 0,
            },
        )
        entry["releases"].append(catalog.sources[release.pk])
        entry["codes"] = max(entry["codes"], int(release.row_counts.get("codes", 0)))
    order = queries.SYSTEM_ORDER
    return sorted(
        systems.values(), key=lambda s: order.index(s["system"]) if s["system"] in order else 99
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /admin/",
        "Disallow: /claims/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
